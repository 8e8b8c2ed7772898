import type { Schemas } from '../../lib/api';
import { DataTable } from '../data-table';
import { Empty } from '../states';

/** The tools the VM got, with their versions and where each came from; and what it could not get. */
export function VmToolList({ tools }: { tools: Schemas['Vm']['tools'] }) {
  if (!tools) return <Empty>This VM was made before tools were recorded.</Empty>;
  return (
    <>
      <DataTable
        caption="Installed tools"
        columns={['Tool', 'Version', 'From']}
        rows={tools.installed}
        empty="No tools recorded."
        row={(tool) => (
          <tr key={tool.name}>
            <td>{tool.name}</td>
            <td class="wrap">
              <code>{tool.version}</code>
            </td>
            <td>{tool.origin}</td>
          </tr>
        )}
      />
      {tools.missing.length > 0 ? (
        <>
          <p>Default tools it could not get:</p>
          <ul>
            {tools.missing.map((tool) => (
              <li key={tool.name}>
                <strong>{tool.name}</strong>
                {tool.version ? ` ${tool.version}` : ''}: {tool.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
