// Search and alerts routes (regulators).
import type { RouteModule } from '../context.js';

export const supervisionRoutes: RouteModule = () => {};
