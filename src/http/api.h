/*
 * The API handlers, one file per capability (api_<capability>.c), and the
 * helpers they share.  Handlers parse the request, call the domain with the
 * caller's principal and render the result; they hold no rules of their own.
 */
#ifndef EB_HTTP_API_H
#define EB_HTTP_API_H

#include "http/http.h"

/* api_meta.c */
void api_healthz(struct eb_req *r);
void api_openapi(struct eb_req *r);

/* api_auth.c */
void api_session_create(struct eb_req *r);
void api_session_get(struct eb_req *r);
void api_session_delete(struct eb_req *r);
void api_me_update(struct eb_req *r);
void api_tokens_list(struct eb_req *r);
void api_tokens_create(struct eb_req *r);
void api_tokens_revoke(struct eb_req *r);

/* api_org.c */
void api_orgs_list(struct eb_req *r);
void api_orgs_create(struct eb_req *r);
void api_orgs_get(struct eb_req *r);
void api_orgs_update(struct eb_req *r);
void api_org_users_list(struct eb_req *r);
void api_org_users_create(struct eb_req *r);
void api_users_get(struct eb_req *r);
void api_users_update(struct eb_req *r);
void api_partnerships_list(struct eb_req *r);
void api_partnerships_create(struct eb_req *r);
void api_partnerships_accept(struct eb_req *r);
void api_partnerships_delete(struct eb_req *r);
void api_audit_list(struct eb_req *r);

/* api_sitrep.c */
void api_areas_list(struct eb_req *r);
void api_area_series(struct eb_req *r);
void api_sitreps_list(struct eb_req *r);
void api_sitreps_put(struct eb_req *r);
void api_sitreps_get(struct eb_req *r);
void api_sitreps_changes(struct eb_req *r);
void api_situation_day(struct eb_req *r);

/* api_donation.c */
void api_donation_items_list(struct eb_req *r);
void api_donation_items_create(struct eb_req *r);
void api_donation_needs_list(struct eb_req *r);
void api_donation_needs_create(struct eb_req *r);
void api_donation_needs_get(struct eb_req *r);
void api_donation_needs_update(struct eb_req *r);
void api_pledges_list(struct eb_req *r);
void api_pledges_create(struct eb_req *r);
void api_pledges_get(struct eb_req *r);
void api_pledges_update(struct eb_req *r);
void api_pledges_amend(struct eb_req *r);
void api_pledge_shipments_list(struct eb_req *r);
void api_pledge_shipments_create(struct eb_req *r);
void api_shipments_get(struct eb_req *r);
void api_shipments_update(struct eb_req *r);
void api_shipments_transition(struct eb_req *r);
void api_shipments_receive(struct eb_req *r);
void api_recon_list(struct eb_req *r);
void api_recon_pledge(struct eb_req *r);
void api_recon_needs(struct eb_req *r);
void api_exports_donations(struct eb_req *r);

/* api_import.c */
void api_imports_sitreps(struct eb_req *r);
void api_exports_sitreps(struct eb_req *r);

/* api_indicators.c */
void api_indicators_series(struct eb_req *r);
void api_indicators_world(struct eb_req *r);

/* api_risk.c */
void api_risk_list(struct eb_req *r);
void api_risk_put(struct eb_req *r);
void api_risk_get(struct eb_req *r);
void api_risk_world(struct eb_req *r);
void api_risk_proposed(struct eb_req *r);

/* api_alert.c */
void api_alerts_list(struct eb_req *r);
void api_alerts_create(struct eb_req *r);
void api_alerts_import(struct eb_req *r);
void api_alerts_get(struct eb_req *r);
void api_alerts_withdraw(struct eb_req *r);
void api_alerts_cap(struct eb_req *r);
void api_alerts_edxl(struct eb_req *r);
void api_alerts_deliveries(struct eb_req *r);
void api_alerts_approve(struct eb_req *r);
void api_alerts_decline(struct eb_req *r);
void api_alerts_issue(struct eb_req *r);
void api_incidents_list(struct eb_req *r);
void api_inbox_list(struct eb_req *r);
void api_inbox_read(struct eb_req *r);
void api_inbox_ack(struct eb_req *r);
void api_subscriptions_list(struct eb_req *r);
void api_subscriptions_create(struct eb_req *r);
void api_subscriptions_delete(struct eb_req *r);
void api_events(struct eb_req *r);
void api_public_alerts(struct eb_req *r);
void api_feed_atom(struct eb_req *r);

/* Password work done off the request threads (api_auth.c). */
struct pw_job {
	char password[256];     /* to hash, if non-empty */
	char hash[128];         /* result of hashing */
	char verify_pw[256];    /* to verify against verify_hash, if non-empty */
	char verify_hash[128];
	int verified;
	int failed;
};
void api_pw_job_run(void *job);

/* The client's IP address as text ("-" if unknown). */
void eb_req_addr(struct eb_req *r, char *out, size_t n);

#endif
