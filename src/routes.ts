// Every route module, in the order the OpenAPI document lists them.
import type { RouteModule } from './context.js';
import { catalogRoutes } from './catalog/routes.js';
import { calendarRoutes } from './calendar/routes.js';
import { authRoutes } from './auth/routes.js';
import { orgRoutes } from './parties/org-routes.js';
import { registryRoutes } from './parties/registry-routes.js';
import { storageExtensionRoutes } from './parties/storage-extension-routes.js';
import { emergencyPlanRoutes } from './parties/emergency-plan-routes.js';
import { auditRoutes } from './audit/routes.js';
import { labelRoutes } from './labels/routes.js';
import { publicLabelRoutes } from './labels/public-routes.js';
import { manifestRoutes } from './manifests/routes.js';
import { scanRoutes } from './manifests/scan-routes.js';
import { paperRoutes } from './manifests/paper-routes.js';
import { revisionRoutes } from './manifests/revision-routes.js';
import { externalReceiptPublicRoutes, externalReceiptRoutes } from './manifests/external-receipt-routes.js';
import { externalPartyRoutes } from './parties/external-routes.js';
import { supervisionRoutes } from './supervision/routes.js';
import { insightRoutes } from './supervision/insight-routes.js';
import { eventRoutes } from './events/routes.js';
import { exchangeRoutes } from './manifests/exchange-routes.js';
import { trackRoutes } from './tracks/routes.js';
import { approvedRouteRoutes } from './tracks/approved-route-routes.js';
import { filingRoutes } from './supervision/filings/filing-routes.js';
import { webhookRoutes } from './webhooks/routes.js';

/** Routes that need no access token. */
export const publicRoutes: RouteModule[] = [authRoutes, publicLabelRoutes, externalReceiptPublicRoutes];

/** Routes behind the bearer-token check. */
export const protectedRoutes: RouteModule[] = [catalogRoutes, calendarRoutes, orgRoutes, registryRoutes, externalPartyRoutes, storageExtensionRoutes, emergencyPlanRoutes, auditRoutes, labelRoutes, scanRoutes, manifestRoutes, paperRoutes, revisionRoutes, externalReceiptRoutes, supervisionRoutes, insightRoutes, exchangeRoutes, eventRoutes, trackRoutes, approvedRouteRoutes, filingRoutes, webhookRoutes];
