/* The API documentation (/api/redoc/) loads nothing from outside the site. Redoc's
   sidebar shows the Redocly logo from cdn.redoc.ly, hard-coded in its bundle with no
   option to turn it off: an image whose address is on another origin gets an empty
   source instead (React sets it both as an attribute and, once mounted, as the src
   property), which Redoc's own error handler then hides. Loaded before the bundle. */
(function () {
  "use strict";

  function local(value) {
    var url = new URL(String(value), document.baseURI);
    return url.origin === window.location.origin ||
      url.protocol === "data:" || url.protocol === "blob:";
  }

  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" &&
        !local(value)) {
      value = "";
    }
    return setAttribute.call(this, name, value);
  };

  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value) ? value : "");
    }
  });
})();
