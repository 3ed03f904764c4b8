/*
 * The route table: every endpoint of the API, who may call it, and its
 * handler.  docs/api and /api/v1/openapi.json describe the same list, and
 * tests/api checks that they agree.
 */
#include "http/router.h"
#include "http/api.h"

#define V EB_ROLE_VIEWER
#define E EB_ROLE_EDITOR
#define A EB_ROLE_ADMIN

const struct eb_route eb_routes[] = {
	{"GET", "/healthz", api_healthz, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/openapi.json", api_openapi, 0, EB_R_PUBLIC},

	{"POST", "/api/v1/session", api_session_create, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/session", api_session_get, V, EB_R_USER},
	{"DELETE", "/api/v1/session", api_session_delete, V, EB_R_USER},
	{"PATCH", "/api/v1/me", api_me_update, V, EB_R_USER},

	{"GET", "/api/v1/orgs", api_orgs_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/orgs", api_orgs_create, A, EB_R_OPERATOR},
	{"GET", "/api/v1/orgs/{id}", api_orgs_get, 0, EB_R_PUBLIC},
	{"PATCH", "/api/v1/orgs/{id}", api_orgs_update, A, 0},
	{"GET", "/api/v1/orgs/{id}/users", api_org_users_list, V, 0},
	{"POST", "/api/v1/orgs/{id}/users", api_org_users_create, A, 0},
	{"GET", "/api/v1/users/{id}", api_users_get, V, 0},
	{"PATCH", "/api/v1/users/{id}", api_users_update, A, 0},

	{"GET", "/api/v1/partnerships", api_partnerships_list, V, 0},
	{"POST", "/api/v1/partnerships", api_partnerships_create, A, 0},
	{"POST", "/api/v1/partnerships/{id}/accept", api_partnerships_accept, A, 0},
	{"DELETE", "/api/v1/partnerships/{id}", api_partnerships_delete, A, 0},

	{"GET", "/api/v1/tokens", api_tokens_list, A, 0},
	{"POST", "/api/v1/tokens", api_tokens_create, A, EB_R_USER},
	{"DELETE", "/api/v1/tokens/{id}", api_tokens_revoke, A, 0},

	{"GET", "/api/v1/audit", api_audit_list, A, 0},

	{"GET", "/api/v1/areas", api_areas_list, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/areas/{code}/series", api_area_series, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/sitreps", api_sitreps_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/sitreps", api_sitreps_put, E, 0},
	{"GET", "/api/v1/sitreps/changes", api_sitreps_changes, V, 0},
	{"GET", "/api/v1/sitreps/{id}", api_sitreps_get, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/situation/{date}", api_situation_day, 0, EB_R_PUBLIC},

	{"GET", "/api/v1/donations/items", api_donation_items_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/donations/items", api_donation_items_create, A, 0},
	{"GET", "/api/v1/donations/needs", api_donation_needs_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/donations/needs", api_donation_needs_create, E, 0},
	{"GET", "/api/v1/donations/needs/{id}", api_donation_needs_get, 0, EB_R_PUBLIC},
	{"PATCH", "/api/v1/donations/needs/{id}", api_donation_needs_update, E, 0},
	{"GET", "/api/v1/donations/pledges", api_pledges_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/donations/pledges", api_pledges_create, E, 0},
	{"GET", "/api/v1/donations/pledges/{id}", api_pledges_get, 0, EB_R_PUBLIC},
	{"PATCH", "/api/v1/donations/pledges/{id}", api_pledges_update, E, 0},
	{"POST", "/api/v1/donations/pledges/{id}/amendments", api_pledges_amend, E, 0},
	{"GET", "/api/v1/donations/pledges/{id}/shipments", api_pledge_shipments_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/donations/pledges/{id}/shipments", api_pledge_shipments_create, E, 0},
	{"GET", "/api/v1/donations/shipments/{id}", api_shipments_get, 0, EB_R_PUBLIC},
	{"PATCH", "/api/v1/donations/shipments/{id}", api_shipments_update, E, 0},
	{"POST", "/api/v1/donations/shipments/{id}/transitions", api_shipments_transition, E, 0},
	{"POST", "/api/v1/donations/shipments/{id}/receipt", api_shipments_receive, E, 0},
	{"GET", "/api/v1/donations/reconciliation", api_recon_list, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/donations/reconciliation/pledges/{id}", api_recon_pledge, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/donations/reconciliation/needs", api_recon_needs, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/exports/donations", api_exports_donations, 0, EB_R_PUBLIC},

	{"GET", "/api/v1/indicators", api_indicators_series, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/indicators/world/{date}", api_indicators_world, 0, EB_R_PUBLIC},

	{"GET", "/api/v1/risk", api_risk_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/risk", api_risk_put, E, 0},
	{"GET", "/api/v1/risk/proposed", api_risk_proposed, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/risk/world/{date}", api_risk_world, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/risk/{id}", api_risk_get, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/imports/sitreps", api_imports_sitreps, E, EB_R_UPLOAD},
	{"GET", "/api/v1/exports/sitreps", api_exports_sitreps, 0, EB_R_PUBLIC},

	{"GET", "/api/v1/alerts", api_alerts_list, 0, EB_R_PUBLIC},
	{"POST", "/api/v1/alerts", api_alerts_create, E, 0},
	{"POST", "/api/v1/alerts/import", api_alerts_import, E, 0},
	{"GET", "/api/v1/alerts/{id}", api_alerts_get, 0, EB_R_PUBLIC},
	{"DELETE", "/api/v1/alerts/{id}", api_alerts_withdraw, E, 0},
	{"GET", "/api/v1/alerts/{id}/cap", api_alerts_cap, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/alerts/{id}/edxl", api_alerts_edxl, V, 0},
	{"GET", "/api/v1/alerts/{id}/deliveries", api_alerts_deliveries, V, 0},
	{"POST", "/api/v1/alerts/{id}/approve", api_alerts_approve, E, 0},
	{"POST", "/api/v1/alerts/{id}/decline", api_alerts_decline, E, 0},
	{"POST", "/api/v1/alerts/{id}/issue", api_alerts_issue, E, 0},
	{"GET", "/api/v1/incidents", api_incidents_list, 0, EB_R_PUBLIC},
	{"GET", "/api/v1/inbox", api_inbox_list, V, 0},
	{"POST", "/api/v1/inbox/{id}/read", api_inbox_read, V, 0},
	{"POST", "/api/v1/inbox/{id}/ack", api_inbox_ack, E, 0},
	{"GET", "/api/v1/subscriptions", api_subscriptions_list, V, 0},
	{"POST", "/api/v1/subscriptions", api_subscriptions_create, E, 0},
	{"DELETE", "/api/v1/subscriptions/{id}", api_subscriptions_delete, E, 0},
	{"GET", "/api/v1/events", api_events, V, 0},
	{"GET", "/api/v1/public/alerts", api_public_alerts, 0, EB_R_PUBLIC},
	{"GET", "/feeds/alerts.atom", api_feed_atom, 0, EB_R_PUBLIC},
};

const size_t eb_nroutes = sizeof eb_routes / sizeof eb_routes[0];
