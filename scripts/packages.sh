# The Debian packages the toolchain needs, sourced by the scripts beside this file.
# To build: the C libraries' headers, pkg-config, and fonts that cover accented names.
BUILD_PACKAGES="pkg-config libsqlite3-dev libxml2-dev libqrencode-dev libcairo2-dev fonts-dejavu-core"
# To test against independent implementations: oathtool (codes), zbarimg and pdftoppm
# (QR codes on the sheets), pdftotext, the sqlite3 shell (tampering), Chromium (HTML report).
TEST_PACKAGES="oathtool zbar-tools poppler-utils sqlite3 python3-jsonschema chromium"
