/**
 * Every vendor Fleetgate speaks to, by the name the API and the database use. The domain lists them
 * because it sits below libs/vendors (DTO validation and stored rows need the names, not the
 * adapters). A new vendor is its folder under libs/vendors/src, one line in VENDOR_CATALOG
 * (libs/vendors/src/vendor-catalog.ts) and its name here; vendor-catalog.spec.ts checks the two lists agree.
 */
export const VENDOR_NAMES = ['armcloud', 'gizwits', 'easyclick', 'tikmatrix'] as const;
export type VendorName = (typeof VENDOR_NAMES)[number];
