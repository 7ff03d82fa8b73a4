// Hash routes: #/ (projects), #/projects/NS/NAME?phase=&type=&ref= (builds), #/builds/NS/NAME (a build).
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'projects' }
  | { page: 'builds'; namespace: string; project: string; filter: URLSearchParams }
  | { page: 'build'; namespace: string; name: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'projects' && parts.length === 3)
    return { page: 'builds', namespace: parts[1], project: parts[2], filter: new URLSearchParams(query) };
  if (parts[0] === 'builds' && parts.length === 3) return { page: 'build', namespace: parts[1], name: parts[2] };
  return { page: 'projects' };
}

const enc = encodeURIComponent;
export const projectHref = (ns: string, name: string, filter?: URLSearchParams): string =>
  `#/projects/${enc(ns)}/${enc(name)}${filter?.toString() ? `?${filter.toString()}` : ''}`;
export const buildHref = (ns: string, name: string): string => `#/builds/${enc(ns)}/${enc(name)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => {
      setRoute(parseRoute(location.hash));
    };
    addEventListener('hashchange', onChange);
    return () => {
      removeEventListener('hashchange', onChange);
    };
  }, []);
  return route;
}
