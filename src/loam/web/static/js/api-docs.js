window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: el.getAttribute("data-spec"), dom_id: "#swagger-ui", persistAuthorization: true });
});
