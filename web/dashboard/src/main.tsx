// The dashboard's front end: three pages (projects, a project's builds, one build) kept current by
// Server-Sent Events from the server's watched caches. Hash routes, so the server has one page.
import { render } from 'preact';
import { App } from './app.tsx';
import './style.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
