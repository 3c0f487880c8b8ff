import { useId } from 'preact/hooks';

/** A labelled search input above a list. */
export function SearchBox({
  label,
  value,
  onInput,
}: {
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
}) {
  const id = useId();
  return (
    <search class="toolbar">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={value}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
    </search>
  );
}
