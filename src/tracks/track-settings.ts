// The track and route-alert policy (docs/regulations.md#route-record), from the configuration.
import type { Config } from '../config.js';

export type TrackSettings = Config['tracks'];
