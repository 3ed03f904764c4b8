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

// Alerts (C3): the CAP 1.2 enumerations in their exact spelling, and the
// dashboard's own ones.  Labels: alerts.<group>.<value>.
export const ALERT_KINDS = ['alert', 'joint_statement', 'advisory'];
export const SCOPES = ['Public', 'Restricted', 'Private'];
export const MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'];
export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'];
export const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
export const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'];
export const ALERT_STATES = ['draft', 'issued', 'withdrawn'];
export const DECISIONS = ['pending', 'approved', 'declined'];
// Subscriptions: '*' (every kind) or one kind.
export const SUB_KINDS = ['*', 'alert', 'joint_statement', 'advisory'];
// The languages of the info blocks the composer offers side by side.
export const INFO_LANGS = ['zh', 'en'];
