// Package web is Meridian's browser user interface: the sign-in page and the
// app shell (top bar, navigation, hash router) that feature pages plug into.
//
// Everything the browser needs is embedded in the binary from the static
// directory: plain HTML, CSS and JavaScript ES modules, with no build step,
// no framework and nothing loaded from another origin. [Handler] serves it:
//
//	/                   the app (static/app.html)
//	/login              the sign-in page (static/login.html)
//	/static/PATH        a file of static/, revalidated on every use (ETag)
//	/static/v-VER/PATH  the same file, cacheable for a year: the pages refer
//	                    to their assets this way, VER being a hash of all
//	                    the files (see Version)
//
// and answers 404 to anything else (with the API's JSON error shape under
// /api/). Every response carries a strict Content-Security-Policy, so the
// pages use no inline script or style, and the scripts insert user data only
// as text (textContent), never as HTML.
//
// # Adding a page
//
// The app's pages are modules under static/js/pages, listed in
// static/js/routes.js and loaded on first use. A page module exports
// mount(container, ctx), which renders into container and may return a
// function that the router calls when the user leaves the page. ctx carries
// the signed-in user and the route's parameters; static/js/api.js is the
// fetch wrapper to call the API with (it adds the CSRF header, sends the user
// to /login when the session has ended, and throws errors carrying the
// server's message), and static/js/dom.js builds elements safely.
package web
