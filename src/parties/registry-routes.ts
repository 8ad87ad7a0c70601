// Licences, vehicles, facilities, exemptions, insurance policies and inspections.
import type { RouteModule } from '../context.js';

export const registryRoutes: RouteModule = () => {};
