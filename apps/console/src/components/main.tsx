import { ReactNode, useEffect, useRef } from 'react';
import { useRoute } from '../router';

/**
 * A page's main region under its one heading: the document is titled after it, and focus moves to it when the page
 * changes, so that a screen reader announces where the reader went.
 */
export function Main({ title, children }: { title: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const route = useRoute();
  useEffect(() => {
    document.title = `${title} – Accord`;
  }, [title]);
  useEffect(() => {
    if (location.hash) heading.current?.focus();
  }, [route]);
  return (
    <main id="main" tabIndex={-1}>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </main>
  );
}
