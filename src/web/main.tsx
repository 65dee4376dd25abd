import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './app/styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('#root is missing from index.html');

// The reporters' phone page is its own entry (reporter/index.html). A server that answers /reporter/
// with this app's shell (its SPA fallback) lands here: hand over to the phone page instead.
if (/^\/reporter(\/|$)/.test(window.location.pathname) && !window.location.pathname.endsWith('/index.html')) {
  window.location.replace(`/reporter/index.html${window.location.search}${window.location.hash}`);
} else {
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
