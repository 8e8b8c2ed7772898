import { href } from '../../lib/router';
import { Link } from '../link';
import { crumbsOf } from './file-paths';

/** Where the browser is, each step up a link; the last one is the current directory. */
export function FileBreadcrumbs({ vmId, dir }: { vmId: string; dir: string }) {
  const crumbs = crumbsOf(dir);
  const base = `/vms/${encodeURIComponent(vmId)}/files`;
  return (
    <nav aria-label="Directory" class="breadcrumbs">
      <ol>
        {crumbs.map((crumb, index) => (
          <li key={crumb.path}>
            {index === crumbs.length - 1 ? (
              <span aria-current="location">{crumb.label}</span>
            ) : (
              <Link href={href(base, { path: crumb.path })}>{crumb.label}</Link>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
