import type { Schemas } from '../../lib/api';
import { Empty } from '../states';

/** The tools the VM got, with their versions and where each came from; and what it could not get. */
export function VmToolList({ tools }: { tools: Schemas['Vm']['tools'] }) {
  if (!tools) return <Empty>This VM was made before tools were recorded.</Empty>;
  return (
    <>
      {tools.installed.length === 0 ? (
        <Empty>No tools recorded.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Installed tools</caption>
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">Version</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {tools.installed.map((tool) => (
                <tr key={tool.name}>
                  <td>{tool.name}</td>
                  <td class="wrap">
                    <code>{tool.version}</code>
                  </td>
                  <td>{tool.origin}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
