#!/usr/bin/env bash
# Copy the pinned front-end libraries from node_modules into src/loam/web/static/vendor (committed).
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --ignore-scripts >/dev/null
V=src/loam/web/static/vendor
rm -rf "$V" && mkdir -p "$V"/bootstrap "$V"/bootstrap-icons/fonts "$V"/htmx "$V"/swagger-ui "$V"/echarts "$V"/sortablejs
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$V"/bootstrap/
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$V"/bootstrap-icons/
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$V"/bootstrap-icons/fonts/
cp node_modules/htmx.org/dist/htmx.min.js "$V"/htmx/
cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js "$V"/swagger-ui/
cp node_modules/echarts/dist/echarts.min.js "$V"/echarts/
cp node_modules/sortablejs/Sortable.min.js "$V"/sortablejs/
for p in bootstrap bootstrap-icons echarts htmx.org sortablejs swagger-ui-dist; do
  echo "$p $(node -p "require('./node_modules/$p/package.json').version")"
done > "$V"/VERSIONS
cat "$V"/VERSIONS
