import ExcelJS from 'exceljs';
import type { UserDto } from './user.dto';

/** The columns of an export: never a password hash or any other secret. */
const COLUMNS: Array<{ header: string; key: string; value: (user: UserDto) => string }> = [
  { header: 'id', key: 'id', value: (user) => user.id },
  { header: 'email', key: 'email', value: (user) => user.email },
  { header: 'name', key: 'name', value: (user) => user.name },
  { header: 'phone', key: 'phone', value: (user) => user.phone ?? '' },
  { header: 'enabled', key: 'enabled', value: (user) => String(user.enabled) },
  { header: 'department', key: 'department', value: (user) => user.departmentName ?? '' },
  { header: 'grade', key: 'grade', value: (user) => user.gradeName ?? '' },
  { header: 'roles', key: 'roles', value: (user) => user.roles.map((role) => role.code).join(' ') },
  { header: 'created_at', key: 'createdAt', value: (user) => user.createdAt.toISOString() },
];

/** Cells a spreadsheet would run as a formula are written as text (CSV injection). */
function inert(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Users as a CSV or XLSX file, written by ExcelJS. */
export async function exportUsers(users: UserDto[], format: 'csv' | 'xlsx'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('users');
  sheet.columns = COLUMNS.map(({ header, key }) => ({ header, key, width: 24 }));
  for (const user of users) {
    sheet.addRow(Object.fromEntries(COLUMNS.map(({ key, value }) => [key, inert(value(user))])));
  }
  const written = format === 'csv' ? await workbook.csv.writeBuffer() : await workbook.xlsx.writeBuffer();
  return Buffer.from(written as ArrayBuffer);
}
