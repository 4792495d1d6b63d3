site-name = zesummen
site-tagline = Gute Praktiken der lokalen Integration und des sozialen Zusammenhalts
nav-home = Startseite
nav-search = Suche
nav-language = Sprache
skip-to-content = Zum Inhalt springen
search-label = Eine Praxis suchen
search-placeholder = z. B. Sprachcafé, Wohnen, Ehrenamtliche
search-button = Suchen
home-themes = Themen
home-communes = Gemeinden
results-count = { $count ->
    [0] Keine Praxis gefunden
    [one] { $count } Praxis gefunden
   *[other] { $count } Praktiken gefunden
}
facets-title = Verfeinern
facet-themes = Thema
facet-communes = Gemeinde
page-previous = Vorherige Seite
page-next = Nächste Seite
download-csv = Diese Auswahl herunterladen (CSV)
similar-title = Ähnliche Praktiken
