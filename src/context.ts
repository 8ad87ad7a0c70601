// What route modules and services need from the running app, in one typed bundle.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Database, Db } from './db/database.js';
import type { KeyRing } from './auth/keys.js';
import type { TokenCache } from './auth/tokens.js';
import type { ClientStatus } from './auth/client-status.js';
import type { LabelStepHook } from './labels/actions.js';

export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  keys: KeyRing;
  tokens: TokenCache;
  clientStatus: ClientStatus;
  /**
   * Runs after each of a label's own steps, in its transaction. The composition root (app.ts) sets
   * it to manifest completion, so that labels need not know manifests.
   */
  afterLabelStep: LabelStepHook;
}

export type App = FastifyInstance<
  RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider
>;

/** A route module: registers its routes on an (already authenticated or public) scope. */
export type RouteModule = (app: App, ctx: AppContext) => void;
