// The console's views. Registering a view is one line here (and its component in components.tsx,
// which the compiler asks for); the keymap, the `:` commands, the help, the reducer and the key
// contexts are all built from this list. The first view is the root of the stack. Pure: models only.
import { auditView } from './audit/model.js';
import { clusterView } from './cluster/model.js';
import { fleetView } from './fleet/model.js';
import { jobView } from './job/model.js';
import { jobsView } from './jobs/model.js';
import { logContextView } from './logs/context-model.js';
import { logsView } from './logs/model.js';
import { metricsView } from './metrics/model.js';
import { pipelineView } from './pipeline/model.js';
import type { ActionOf, AnyViewModel, DataActionOf, SliceOf } from '../state/view-model.js';

export const VIEWS = [fleetView, clusterView, jobsView, jobView, logsView, logContextView, pipelineView, metricsView, auditView] as const satisfies readonly AnyViewModel[];

type Registered = (typeof VIEWS)[number];
export type ViewKind = Registered['kind'];
export type ViewSlices = { [M in Registered as M['kind']]: SliceOf<M> };
/** The actions of the views' own keys. */
export type ViewKeyAction = ActionOf<Registered>;
/** The data actions the views' reducers take (their topics' frames). */
export type ViewDataAction = DataActionOf<Registered>;

export const ROOT_VIEW: ViewKind = VIEWS[0].kind;
