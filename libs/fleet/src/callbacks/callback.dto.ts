export class CallbackReceiptDto {
  accepted!: boolean;
  /**
   * This callback was delivered before: acknowledged and not applied again. A state report without a
   * time (ArmCloud instance state) is never a duplicate: the same state again is a new report.
   */
  duplicate!: boolean;
}
