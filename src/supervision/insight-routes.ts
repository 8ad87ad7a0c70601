// Indicators, indicator inputs, capacity and risk routes (regulators).
import type { RouteModule } from '../context.js';

export const insightRoutes: RouteModule = () => {};
