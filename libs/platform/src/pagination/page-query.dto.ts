import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';

const MAX_PAGE = 1_000_000;

/** `?page=1&pageSize=20`: every list in the API pages the same way. */
export class PageQueryDto {
  /** 1-based page number, at most 1,000,000 (the offset it makes must fit the database's integer). */
  @ApiProperty({ required: false, default: 1, minimum: 1, maximum: MAX_PAGE })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  /** Items per page, at most 200. */
  @ApiProperty({ required: false, default: 20, minimum: 1, maximum: 200 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize: number = 20;

  get skip(): number {
    return (this.page - 1) * this.pageSize;
  }
}
