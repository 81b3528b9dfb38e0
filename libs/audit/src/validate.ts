/** Shared row checks for the audit writers (not part of the lib's surface). */
export function assertAuditBrandId(brandId: unknown): asserts brandId is number {
  if (typeof brandId !== 'number' || !Number.isSafeInteger(brandId) || brandId < 0) {
    throw new Error('audit brand_id must be a non-negative integer (0 = no brand)');
  }
}

export function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`audit ${name} must be a non-empty string`);
  return value;
}
