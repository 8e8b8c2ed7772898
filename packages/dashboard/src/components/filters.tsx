// Filters that live in the URL: the page reads them from the query string and a change
// rewrites it, so a filtered view is a link.
import { useEffect, useState } from 'preact/hooks';
import { setQuery } from '../lib/router';

export interface FilterSpec {
  /** The query parameter. */
  name: string;
  label: string;
  /** A select with these values (plus "any"); a text box without. */
  options?: readonly string[];
  placeholder?: string;
}

interface Props {
  filters: readonly FilterSpec[];
  query: URLSearchParams;
}

function TextFilter({ spec, value }: { spec: FilterSpec; value: string }) {
  // Typed text applies on Enter or when the box loses focus, not at every key.
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <input
      id={`filter-${spec.name}`}
      type="search"
      value={text}
      placeholder={spec.placeholder}
      onInput={(event) => setText(event.currentTarget.value)}
      onChange={() => setQuery({ [spec.name]: text.trim() })}
    />
  );
}

export function Filters({ filters, query }: Props) {
  return (
    <search>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        {filters.map((spec) => {
          const value = query.get(spec.name) ?? '';
          return (
            <div class="field" key={spec.name}>
              <label for={`filter-${spec.name}`}>{spec.label}</label>
              {spec.options ? (
                <select
                  id={`filter-${spec.name}`}
                  value={value}
                  onChange={(event) => setQuery({ [spec.name]: event.currentTarget.value })}
                >
                  <option value="">any</option>
                  {spec.options.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <TextFilter spec={spec} value={value} />
              )}
            </div>
          );
        })}
      </form>
    </search>
  );
}
