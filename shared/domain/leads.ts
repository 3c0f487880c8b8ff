/** Where a lead came from. */
export const leadSources = ['web', 'referral', 'event', 'campaign', 'cold_call', 'partner', 'other'] as const;
export type LeadSource = (typeof leadSources)[number];

/** A lead's progress; `converted` once it became a contact (lead-conversion.ts). */
export const leadStatuses = ['new', 'contacted', 'qualified', 'disqualified', 'converted'] as const;
export type LeadStatus = (typeof leadStatuses)[number];

/** `converted` is set by conversion only, never by a PATCH. */
export const settableLeadStatuses = ['new', 'contacted', 'qualified', 'disqualified'] as const;
