/** Every vendor Fleetgate speaks to. Adding one: its folder under libs/vendors and one line in VENDOR_DEFINITIONS. */
export const VENDOR_NAMES = ['armcloud', 'gizwits', 'easyclick', 'tikmatrix'] as const;
export type VendorName = (typeof VENDOR_NAMES)[number];
