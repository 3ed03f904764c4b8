// Enumerations of the API (docs/openapi.json) that the interface offers as
// choices.  Their labels are i18n keys: kind.<k>, role.<r>, lang.<l>.
// tests/web/i18n.test.mjs checks these lists against the OpenAPI document.

export const ORG_KINDS = [
  'ministry_of_health', 'public_health_agency', 'embassy', 'consulate',
  'international_organisation', 'ngo', 'red_cross_society', 'company',
  'hospital', 'research_institute', 'local_government', 'volunteer_group',
  'government',
];

export const ROLES = ['admin', 'editor', 'viewer'];

export const USER_LANGS = ['en', 'zh'];

// Rows per page of the paginated lists.
export const PAGE_SIZE = 25;
