site-name = zesummen
site-tagline = Bonnes pratiques d'intégration locale et de cohésion sociale
nav-home = Accueil
nav-search = Rechercher
nav-language = Langue
skip-to-content = Aller au contenu
search-label = Rechercher une pratique
search-placeholder = ex. café des langues, logement, bénévoles
search-button = Rechercher
home-intro = Les communes, les associations et les citoyens partagent ici les pratiques qui les aident à bien vivre ensemble : cafés des langues, formations de bénévoles, agences immobilières sociales, jardins communautaires, plans communaux d'intégration…
home-practices = { $count ->
    [one] { $count } pratique publiée
   *[other] { $count } pratiques publiées
}
home-themes = Thèmes
home-communes = Communes
results-count = { $count ->
    [0] Aucune pratique trouvée
    [one] { $count } pratique trouvée
   *[other] { $count } pratiques trouvées
}
results-for = pour « { $query } »
results-none-hint = Essayez moins de mots, ou retirez un filtre.
facets-title = Affiner
facet-themes = Thème
facet-communes = Commune
facet-institutions = Institution
facet-target_publics = Public cible
facet-sources = Document source
facet-statuses = Statut
filter-remove = Retirer le filtre { $value }
filter-label = { $facet } : { $value }
filters-active = Filtres actifs
page-previous = Page précédente
page-next = Page suivante
page-of = Page { $page } sur { $pages }
pagination = Pagination
download-csv = Télécharger cette sélection (CSV)
download-json = Cette sélection en JSON
field-institution = Commune / institution
field-organisers = Organisateur(s)
field-communes = Communes
field-themes = Thèmes
field-objectives = Objectifs
field-description = Brève description et approche préconisée
field-results = Résultats / plus-values du projet
field-target_public = Public cible du projet
field-place_periodicity = Lieu du projet et périodicité
field-costs = Coûts éventuels
field-contacts = Contacts
field-other_info = Autres informations utiles
field-websites = Sites web
field-sources = Sources
field-empty = (rubrique vide dans la source)
contact-phone = Tél.
contact-email = Courriel
source-lines = { $document }, lignes { $first }–{ $last }
source-truncated = texte coupé dans la source
similar-title = Pratiques similaires
similar-none = Aucune pratique similaire pour l'instant.
commune-title = Pratiques à { $name }
theme-title = Thème : { $name }
back-to-search = Retour à la recherche
error-not-found = Page introuvable
error-not-found-text = Cette page n'existe pas, ou la pratique n'est pas publiée.
error-bad-request = Demande invalide
error-internal = Erreur interne
error-internal-text = Une erreur est survenue. Elle a été enregistrée ; réessayez plus tard.
footer-text = zesummen — « ensemble » en luxembourgeois. Données : communes et partenaires.
footer-api = API JSON
