import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';

/**
 * A modal dialog on the native <dialog> element: focus moves into it (its first field, if any), Escape closes it, and focus
 * returns to what opened it. `onClose` runs for Escape, the close button and the backdrop.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  readonly open: boolean;
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element, the close button; a form's first field is
      // where the user wants to type, so it takes the focus when there is one.
      dialog.querySelector<HTMLElement>('.dialog-body :is(input, select, textarea):not([disabled])')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // A click on the backdrop closes it; the keyboard's ways out are Escape (onCancel) and the close button.
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape and the close button are the keyboard equivalents.
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="button button-quiet" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </div>
      <div class="dialog-body">{open && children}</div>
    </dialog>
  );
}
