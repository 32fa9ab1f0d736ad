/*
 * CPIELambert93: WGS84 degrees <-> Lambert-93 metres (EPSG:2154), in the browser.
 *
 *   CPIELambert93.fromWgs84(lon, lat) -> [x, y]     metres
 *   CPIELambert93.toWgs84(x, y) -> [lon, lat]       degrees
 *
 * The Lambert conformal conic projection with two standard parallels (44° N and 49° N,
 * origin 46.5° N 3° E, false easting 700 000 m, false northing 6 600 000 m) on the GRS80
 * ellipsoid, as IGN defines it (IGN NTG_71 algorithms). RGF93 and WGS84 differ by a few
 * centimetres, below what a field GPS measures, so no datum shift is applied. The server
 * (PostGIS/PROJ) stays the reference: this only lets the entry form show typed coordinates
 * in either system.
 */
(function (global) {
  "use strict";

  var A = 6378137.0;
  var F = 1 / 298.257222101;
  var E = Math.sqrt(2 * F - F * F);
  var LON0 = (3 * Math.PI) / 180;
  var LAT0 = (46.5 * Math.PI) / 180;
  var LAT1 = (44 * Math.PI) / 180;
  var LAT2 = (49 * Math.PI) / 180;
  var X0 = 700000;
  var Y0 = 6600000;

  function m(lat) {
    var s = Math.sin(lat);
    return Math.cos(lat) / Math.sqrt(1 - E * E * s * s);
  }

  function t(lat) {
    var s = Math.sin(lat);
    return Math.tan(Math.PI / 4 - lat / 2) / Math.pow((1 - E * s) / (1 + E * s), E / 2);
  }

  var N = (Math.log(m(LAT1)) - Math.log(m(LAT2))) / (Math.log(t(LAT1)) - Math.log(t(LAT2)));
  var AF = (A * m(LAT1)) / (N * Math.pow(t(LAT1), N));
  var RHO0 = AF * Math.pow(t(LAT0), N);

  function fromWgs84(lon, lat) {
    var phi = (lat * Math.PI) / 180;
    var rho = AF * Math.pow(t(phi), N);
    var theta = N * ((lon * Math.PI) / 180 - LON0);
    return [X0 + rho * Math.sin(theta), Y0 + RHO0 - rho * Math.cos(theta)];
  }

  function toWgs84(x, y) {
    var dx = x - X0;
    var dy = RHO0 - (y - Y0);
    var rho = Math.sqrt(dx * dx + dy * dy);
    var tt = Math.pow(rho / AF, 1 / N);
    var theta = Math.atan2(dx, dy);
    var phi = Math.PI / 2 - 2 * Math.atan(tt);
    for (var i = 0; i < 12; i += 1) {
      var s = Math.sin(phi);
      var next = Math.PI / 2 - 2 * Math.atan(tt * Math.pow((1 - E * s) / (1 + E * s), E / 2));
      if (Math.abs(next - phi) < 1e-12) {
        phi = next;
        break;
      }
      phi = next;
    }
    return [((theta / N + LON0) * 180) / Math.PI, (phi * 180) / Math.PI];
  }

  global.CPIELambert93 = { fromWgs84: fromWgs84, toWgs84: toWgs84 };
})(window);
