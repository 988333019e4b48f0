// Terminal size tracking. A stream without a size (a pipe) is treated as the minimum supported one.
import { MIN_COLUMNS, MIN_ROWS, type Viewport } from '../state/layout.js';

export interface SizedStream {
  columns?: number;
  rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export function readSize(stream: SizedStream): Viewport {
  return { columns: stream.columns || MIN_COLUMNS, rows: stream.rows || MIN_ROWS };
}

export function watchSize(stream: SizedStream, onResize: (size: Viewport) => void): () => void {
  const listener = (): void => onResize(readSize(stream));
  stream.on('resize', listener);
  return () => stream.off('resize', listener);
}
