import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { PageQueryDto } from './page-query.dto';

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export function paged<T>(items: T[], total: number, query: Pick<PageQueryDto, 'page' | 'pageSize'>): Paged<T> {
  return { items, total, page: query.page, pageSize: query.pageSize };
}

const pagedClasses = new Map<Type<unknown>, Type<Paged<unknown>>>();

/**
 * A named response class for a page of `item`s, so the OpenAPI document (and the generated client)
 * gets a concrete schema such as `PagedDeviceDto` rather than an anonymous object.
 */
export function PagedDto<T>(item: Type<T>): Type<Paged<T>> {
  const existing = pagedClasses.get(item);
  if (existing) return existing as Type<Paged<T>>;
  class PagedOf implements Paged<T> {
    @ApiProperty({ type: [item] })
    items!: T[];
    @ApiProperty({ description: 'Items matching the query, over all pages' })
    total!: number;
    @ApiProperty()
    page!: number;
    @ApiProperty()
    pageSize!: number;
  }
  Object.defineProperty(PagedOf, 'name', { value: `Paged${item.name}` });
  pagedClasses.set(item, PagedOf);
  return PagedOf;
}
