export class CallbackReceiptDto {
  accepted!: boolean;
  /** This exact callback was received before: acknowledged and not applied again. */
  duplicate!: boolean;
}
