// Every page of the dashboard, one module each.  To add a page, write
// js/pages/<name>.js calling registerPage() (see ../registry.js) and import
// it here.  The order of imports does not matter: nav order is the page's
// nav.order.
import './login.js';
import './map.js';
import './country.js';
import './orgs.js';
import './org.js';
import './partners.js';
import './tokens.js';
import './audit.js';
import './profile.js';
import './donations.js';
import './pledge.js';
import './needs.js';
import './reconciliation.js';
import './alerts.js';
import './alert.js';
import './compose.js';
import './statements.js';
import './subscriptions.js';
import './public-alerts.js';
