// CloudFront Function (viewer request) in front of the staff console's bucket.
//
// The console is a single-page app built with base /console/: its own router draws every page from
// /console/index.html, so a deep link such as /console/campaigns/123 has no object in the bucket
// (S3 would answer 403). A path under /console/ whose last segment has no extension is a page and is
// served index.html; a file (/console/assets/index-1a2b.js, /console/config.json) keeps its path.
// The site's root, and /console without its slash, redirect to the console.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/" || uri === "/console") {
    return {
      statusCode: 302,
      statusDescription: "Found",
      headers: { location: { value: "/console/" }, "cache-control": { value: "no-cache" } },
    };
  }
  if (uri.indexOf("/console/") === 0 && uri.slice(uri.lastIndexOf("/") + 1).indexOf(".") === -1) {
    request.uri = "/console/index.html";
  }
  return request;
}
