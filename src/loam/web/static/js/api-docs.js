window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  // Collapsed tags and a filter box: the API has a few hundred operations, and rendering them all expanded
  // takes the browser several seconds.
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    persistAuthorization: true,
    docExpansion: "none",
    filter: true,
  });
});
