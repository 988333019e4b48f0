// The view registry holds together: kinds are unique, the root sits under every other view, every
// view names only registered views, and every registered view has a component to draw it.
import { describe, expect, it } from 'vitest';
import { CONTEXTS } from '../../../../tui/keymap.js';
import { initialState, viewContext } from '../../../../tui/state/app.js';
import type { AnyViewModel } from '../../../../tui/state/view-model.js';
import { VIEW_COMPONENTS } from '../../../../tui/views/components.js';
import { ROOT_VIEW, VIEWS } from '../../../../tui/views/registry.js';

const kinds = VIEWS.map((v) => v.kind);

describe('view registry', () => {
  it('registers each kind once, the root first', () => {
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds[0]).toBe(ROOT_VIEW);
    expect(VIEWS[0].over).toEqual([]);
  });

  it('opens every other view over the root, and only over registered views', () => {
    for (const v of VIEWS.slice(1)) {
      expect(v.over, v.kind).toContain(ROOT_VIEW);
      for (const k of v.over) expect(kinds, `${v.kind} over ${k}`).toContain(k);
      expect(v.over, v.kind).not.toContain(v.kind);
    }
  });

  it('makes every view a key context', () => {
    for (const k of kinds) expect(CONTEXTS).toContain(k);
  });

  it('has a component for every view', () => {
    expect(Object.keys(VIEW_COMPONENTS).sort()).toEqual([...kinds].sort());
    for (const k of kinds) expect(typeof VIEW_COMPONENTS[k].Component).toBe('function');
  });

  it('starts every view from a slice its own normalize leaves alone, so an idle console keeps its state', () => {
    const ctx = viewContext(initialState({ now: 0, columns: 80, rows: 24 }));
    for (const v of VIEWS as readonly AnyViewModel[]) {
      const slice = v.initial();
      for (const follow of [false, true]) expect(v.normalize?.(slice, ctx, follow) ?? slice, v.kind).toBe(slice);
    }
  });
});
