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
nav-spiral = SPIRAL
nav-login = Anmelden
login-title = Anmeldung
login-signed-in-as = Angemeldet als { $email }
logout = Abmelden
login-refused = E-Mail oder Passwort falsch.
login-email = E-Mail-Adresse
login-password = Passwort
login-submit = Anmelden
question-WB = Wohlbefinden
question-IB = Unwohlsein
question-ACT = Handlungen
spiral-platforms = Plattformen
spiral-criteria = Kriterien
spiral-actions = Pilotaktionen
spiral-indicators = Fortschrittsindikatoren
spiral-statistics = Statistiken
spiral-codebook = Klassifikation
spiral-synthesis = Synthese
spiral-groups = Homogene Gruppen
spiral-total = Gesamt
codebook-to-confirm = Bezeichnung zu bestätigen
feed-practices = Neue Praktiken (Atom)
