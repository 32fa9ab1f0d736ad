/*
 * Session form (templates/baguage/session_form.html): choosing a station fills the number
 * and total length of nets with the station's fixed nets, unless already typed.
 */
(function () {
  "use strict";
  var data = document.getElementById("station-nets");
  var station = document.getElementById("id_station");
  var count = document.getElementById("id_nets_count");
  var length = document.getElementById("id_nets_length_m");
  if (!data || !station || !count || !length) return;
  var nets = JSON.parse(data.textContent);

  function isEmpty(input) {
    return !input.value || Number(input.value.replace(",", ".")) === 0;
  }

  station.addEventListener("change", function () {
    var found = nets[station.value];
    if (!found) return;
    if (isEmpty(count)) count.value = found.count;
    if (isEmpty(length)) length.value = found.length;
  });
})();
