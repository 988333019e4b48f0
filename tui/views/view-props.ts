// What every view component gets: its own slice, what all views share, and the lines it may draw in.
import type { ViewContext } from '../state/view-model.js';

export interface ViewProps<S> {
  slice: S;
  ctx: ViewContext;
  /** Lines of the body between the header and the message line. */
  height: number;
}
