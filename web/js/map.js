/*
 * map.js — the /map/ page: one marker per area of organisations that shared
 * their position (/map/clients.json: at least MIN_ORGANISATIONS of them, the
 * count on the marker), with their most frequent threat and vulnerability, on
 * country outlines shipped with the service (world-atlas, drawn offline);
 * online tiles only when the operator set MAP_TILES_URL.  The table under the
 * map says the same for readers who do not use the map.
 */
(function () {
  'use strict';

  const S = window.StatsWeb;
  const t = S.t;
  const element = document.getElementById('map');
  const empty = document.getElementById('map-empty');
  const tableBody = document.querySelector('#map-table tbody');
  const EUROPE = [[35, -12], [62, 30]];

  const motion = !S.reducedMotion;
  const map = L.map(element, {worldCopyJump: true, minZoom: 2, maxZoom: 14, zoomSnap: 0.5,
                              zoomAnimation: motion, fadeAnimation: motion, markerZoomAnimation: motion});
  map.fitBounds(EUROPE);
  map.attributionControl.setPrefix(false);

  const overlays = {};
  const outlines = L.geoJSON(null, {
    interactive: false,
    style: window.matchMedia('(prefers-color-scheme: dark)').matches
      ? {color: '#0f1722', weight: 0.8, fillColor: '#2c3b4e', fillOpacity: 1}
      : {color: '#ffffff', weight: 0.8, fillColor: '#cfd8e3', fillOpacity: 1},
  });
  outlines.addTo(map);
  overlays[t('map.outlines')] = outlines;

  if (element.dataset.tiles) {
    const host = (element.dataset.tiles.match(/^[a-z]+:\/\/([^/]+)/i) || [])[1] || '';
    const tiles = L.tileLayer(element.dataset.tiles, {attribution: host.replace('{s}.', '')});
    tiles.addTo(map);
    tiles.bringToBack();
    overlays[t('map.tiles')] = tiles;
    outlines.setStyle({fillOpacity: 0, color: '#5a6b7b'});
    L.control.layers(null, overlays, {collapsed: true}).addTo(map);
  }

  /* Country names (world-atlas's, in English) on the offline map: each at
   * the middle of its largest part, shown when that part is wide enough on
   * screen for the name.  Decorative: the table says where the areas are. */
  const names = L.layerGroup();
  let countries = [];

  function largestPart(geometry) {
    const polygons = geometry.type === 'MultiPolygon' ? geometry.coordinates : [geometry.coordinates];
    let best = null;
    for (const polygon of polygons) {
      const bounds = L.latLngBounds(polygon[0].map(([lon, lat]) => [lat, lon]));
      const size = (bounds.getEast() - bounds.getWest()) * (bounds.getNorth() - bounds.getSouth());
      if (!best || size > best.size) {
        best = {bounds, size};
      }
    }
    return best.bounds;
  }

  function placeNames() {
    names.clearLayers();
    const view = map.getBounds().pad(0.2);
    for (const country of countries) {
      if (!view.contains(country.centre)) {
        continue;
      }
      const west = map.latLngToContainerPoint(country.bounds.getSouthWest());
      const east = map.latLngToContainerPoint(country.bounds.getNorthEast());
      if (east.x - west.x < country.name.length * 7 + 8) {
        continue;
      }
      const label = document.createElement('span');
      label.setAttribute('aria-hidden', 'true');
      label.textContent = country.name;
      names.addLayer(L.marker(country.centre, {
        icon: L.divIcon({className: 'country-name', html: label, iconSize: null}),
        interactive: false, keyboard: false,
      }));
    }
  }

  async function loadOutlines() {
    const response = await fetch(element.dataset.countries);
    const world = await response.json();
    const features = topojson.feature(world, world.objects.countries);
    outlines.addData(features);
    if (!element.dataset.tiles) {
      countries = features.features.filter((f) => f.geometry && f.properties && f.properties.name).map((f) => {
        const bounds = largestPart(f.geometry);
        return {name: f.properties.name, bounds, centre: bounds.getCenter()};
      });
      names.addTo(map);
      map.on('zoomend moveend', placeNames);
      placeNames();
    }
  }

  /* "49.61° N, 6.13° E" (fr "49,61° N, 6,13° E", de "49,61° N, 6,13° O"): the
   * degree sign and the hemisphere keep each number whole whatever the
   * language's decimal separator. */
  function coordinate(value, positive, negative) {
    return S.formatNumber(Math.abs(value)) + '° ' + t(value < 0 ? negative : positive);
  }

  function position(area) {
    return coordinate(area.latitude, 'map.north', 'map.south') + ', ' + coordinate(area.longitude, 'map.east', 'map.west');
  }

  /* "<label> (<mean count> on average)" for a [count, uuid] pair and its labels,
   * the label a link to the object's page (an object enough of an area's
   * organisations name is one the landscape shows: its page exists); "none named
   * by enough organisations" when there is no pair. */
  function describe(pair, labels) {
    const text = document.createElement('span');
    if (!pair) {
      text.textContent = t('map.too_few');
      return text;
    }
    const link = document.createElement('a');
    link.href = S.objectPage(pair[1]);
    link.textContent = S.objectLabel(labels, pair[1]);
    text.append(link, ' (' + t('map.occurrences', {count: S.formatNumber(pair[0])}) + ')');
    return text;
  }

  function popup(area) {
    const box = document.createElement('div');
    box.className = 'map-popup';
    for (const [title, text] of [[t('map.threat'), describe(area.max_threat, area.max_threat_labels)],
                                 [t('map.vulnerability'), describe(area.max_vulnerability, area.max_vulnerability_labels)]]) {
      const heading = document.createElement('strong');
      heading.textContent = title;
      const line = document.createElement('p');
      line.append(heading, document.createElement('br'), text);
      box.append(line);
    }
    return box;
  }

  /* A round marker showing a number of organisations. */
  function countIcon(organisations, grouped) {
    const count = document.createElement('span');
    count.textContent = S.formatNumber(organisations);
    const size = grouped ? 34 : 28;
    return L.divIcon({className: grouped ? 'client-marker client-group' : 'client-marker', html: count,
                      iconSize: [size, size], iconAnchor: [size / 2, size / 2], popupAnchor: [0, -size / 2 + 2]});
  }

  /*
   * Areas closer on screen than GROUP_PX share one marker with their total
   * number of organisations: two organisations 400 m apart read "2", not one
   * marker hiding another.  Regrouped at every zoom; choosing a group zooms
   * on it, or, when it cannot come apart, opens the popups of its areas.
   */
  const GROUP_PX = 32;
  const markers = L.layerGroup().addTo(map);
  let areas = [];

  function groupAreas() {
    const groups = [];
    for (const area of areas) {
      const point = map.latLngToLayerPoint([area.latitude, area.longitude]);
      const near = groups.find((g) => g.point.distanceTo(point) < GROUP_PX);
      if (near) {
        near.areas.push(area);
      } else {
        groups.push({point, areas: [area]});
      }
    }
    return groups;
  }

  function drawMarkers() {
    markers.clearLayers();
    for (const group of groupAreas()) {
      if (group.areas.length === 1) {
        const [area] = group.areas;
        const name = t('map.marker', {count: S.formatNumber(area.organisations), position: position(area)});
        markers.addLayer(L.marker([area.latitude, area.longitude], {icon: countIcon(area.organisations), title: name, alt: name, keyboard: true})
          .bindPopup(popup(area)));
        continue;
      }
      const organisations = group.areas.reduce((sum, a) => sum + a.organisations, 0);
      const bounds = L.latLngBounds(group.areas.map((a) => [a.latitude, a.longitude]));
      const name = t('map.group', {count: S.formatNumber(organisations), places: group.areas.length});
      const marker = L.marker(bounds.getCenter(), {icon: countIcon(organisations, true), title: name, alt: name, keyboard: true});
      const open = () => {
        const zoom = Math.min(map.getBoundsZoom(bounds.pad(0.5)), map.getMaxZoom());
        if (zoom > map.getZoom()) {
          map.setView(bounds.getCenter(), zoom);
        } else {
          const box = document.createElement('div');
          box.append(...group.areas.map(popup));
          marker.unbindPopup().bindPopup(box).openPopup();
        }
      };
      marker.on('click', open);
      // Leaflet turns Enter into a click only for markers with a popup: this one is a button.
      marker.on('keypress', (event) => {
        if (event.originalEvent.key === 'Enter' || event.originalEvent.key === ' ') {
          event.originalEvent.preventDefault();
          open();
        }
      });
      markers.addLayer(marker);
    }
  }
  map.on('zoomend', drawMarkers);

  function addClients(list) {
    areas = list;
    for (const area of areas) {
      const row = tableBody.insertRow();
      row.insertCell().textContent = position(area);
      row.insertCell().textContent = S.formatNumber(area.organisations);
      row.insertCell().append(describe(area.max_threat, area.max_threat_labels));
      row.insertCell().append(describe(area.max_vulnerability, area.max_vulnerability_labels));
    }
    if (areas.length) {
      // Wide enough to show the names of the countries around.
      map.fitBounds(areas.map((a) => [a.latitude, a.longitude]), {padding: [40, 40], maxZoom: 6});
    }
    drawMarkers();
  }

  async function loadClients() {
    element.dataset.state = 'loading';
    try {
      const clients = await S.fetchJSON('/map/clients.json');
      addClients(clients);
      if (!clients.length) {
        empty.textContent = t('map.empty');
        empty.hidden = false;
      }
      element.dataset.state = clients.length ? 'ready' : 'empty';
    } catch (error) {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'btn btn-primary btn-sm ms-2';
      retry.textContent = t('retry');
      retry.addEventListener('click', () => {
        empty.hidden = true;
        loadClients();
      });
      empty.replaceChildren(t('error'), retry);
      empty.hidden = false;
      element.dataset.state = 'error';
    }
  }

  Promise.all([loadOutlines().catch(() => null), loadClients()]).then(() => {
    element.dataset.outlines = String(outlines.getLayers().length);
  });
}());
