import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PageQueryDto } from './page-query.dto';

describe('PageQueryDto', () => {
  const problems = (query: Record<string, string>) =>
    validateSync(plainToInstance(PageQueryDto, query)).map((error) => error.property);

  it('refuses a page whose offset would not fit the database integer', () => {
    expect(problems({ page: '1e308' })).toEqual(['page']);
    expect(problems({ page: '1000001' })).toEqual(['page']);
    expect(problems({ page: '1000000', pageSize: '200' })).toEqual([]);
  });
});
