import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblemDto {
  /** The field, as a dotted path into the request (`targets.0.deviceId`), or a header or query name. */
  field!: string;
  /** What is wrong with it. */
  problem!: string;
}

export class VendorErrorDto {
  /** Which vendor answered. */
  vendor!: string;
  /** The vendor's own error code, as the vendor sent it. */
  code!: string;
  /** The vendor's own message. */
  message!: string;
}

export class ErrorBodyDto {
  /** Stable, machine-readable error code (`validation_failed`, `not_found`, `conflict`, ...). */
  @ApiProperty({ example: 'validation_failed' })
  code!: string;
  /** A sentence for people. */
  message!: string;
  /** One entry per offending field, for validation errors. */
  @ApiPropertyOptional({ type: [FieldProblemDto] })
  details?: FieldProblemDto[];
  /** The vendor's answer, when a vendor call failed. */
  @ApiPropertyOptional({ type: VendorErrorDto })
  vendor?: VendorErrorDto;
  /** Same as the X-Request-Id response header; quote it when reporting a problem. */
  requestId!: string;
}

/** The one shape of every error Fleetgate returns. */
export class ErrorEnvelopeDto {
  error!: ErrorBodyDto;
}
