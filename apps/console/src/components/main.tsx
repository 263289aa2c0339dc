import { ReactNode, useEffect, useRef } from 'react';

/** The page the document opened on keeps the focus where the browser put it: at the start, before the skip link. */
let documentJustLoaded = true;

/**
 * A page's main region under its one heading: the document is titled after it, and focus moves to it when the page
 * changes, so that a screen reader announces where the reader went.
 */
export function Main({ title, children }: { title: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} – Accord`;
  }, [title]);
  useEffect(() => {
    if (!documentJustLoaded) heading.current?.focus();
    documentJustLoaded = false;
  }, []);
  return (
    <main id="main" tabIndex={-1}>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </main>
  );
}
