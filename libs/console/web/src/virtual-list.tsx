import { Virtualizer, elementScroll, observeElementOffset, observeElementRect, type VirtualItem } from "@tanstack/virtual-core";
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";

interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** The list's height in pixels. */
  height: number;
  row: (index: number) => ComponentChildren;
  testId?: string;
}

/**
 * Only the rows in view (and a few around them) are in the DOM, whatever
 * the count: a fan-out of thousands of items scrolls like ten. The
 * virtualizer is TanStack's framework-free core, driven the way its React
 * adapter drives it.
 */
export function VirtualList({ count, rowHeight, height, row, testId }: VirtualListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const options = {
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => redraw(undefined),
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLDivElement, Element>(options));
  virtualizer.setOptions({ ...virtualizer.options, ...options });
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());
  const items: VirtualItem[] = virtualizer.getVirtualItems();
  return (
    <div ref={scroller} class="virtual" style={{ height: `${height}px` }} data-testid={testId} data-count={count}>
      <div style={{ height: `${virtualizer.getTotalSize()}px`, position: "relative" }}>
        {items.map((item) => (
          <div
            key={item.key}
            class="vrow"
            style={{ position: "absolute", top: 0, left: 0, right: 0, height: `${rowHeight}px`, transform: `translateY(${item.start}px)` }}
          >
            {row(item.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
