site-name = zesummen
site-tagline = Good practices of local integration and social cohesion
nav-home = Home
nav-search = Search
nav-language = Language
skip-to-content = Skip to content
search-label = Search for a practice
search-placeholder = e.g. language café, housing, volunteers
search-button = Search
home-intro = Communes, associations and citizens share here the practices that help them live together well: language cafés, training for volunteers, social rental agencies, community gardens, communal integration plans…
home-practices = { $count ->
    [one] { $count } published practice
   *[other] { $count } published practices
}
home-themes = Themes
home-communes = Communes
results-count = { $count ->
    [0] No practice found
    [one] { $count } practice found
   *[other] { $count } practices found
}
results-for = for “{ $query }”
results-none-hint = Try fewer words, or remove a filter.
facets-title = Refine
facet-themes = Theme
facet-communes = Commune
facet-institutions = Institution
facet-target_publics = Target public
facet-sources = Source document
facet-statuses = Status
filter-remove = Remove the filter { $value }
filter-label = { $facet }: { $value }
filters-active = Active filters
page-previous = Previous page
page-next = Next page
page-of = Page { $page } of { $pages }
pagination = Pagination
download-csv = Download this selection (CSV)
download-json = This selection as JSON
field-institution = Commune / institution
field-organisers = Organiser(s)
field-communes = Communes
field-themes = Themes
field-objectives = Objectives
field-description = Description and approach
field-results = Results and added value
field-target_public = Target public
field-place_periodicity = Place and periodicity
field-costs = Costs
field-contacts = Contacts
field-other_info = Other information
field-websites = Websites
field-sources = Sources
field-empty = (section empty in the source)
contact-phone = Phone
contact-email = E-mail
source-lines = { $document }, lines { $first }–{ $last }
source-truncated = text cut in the source
similar-title = Similar practices
similar-none = No similar practice yet.
commune-title = Practices in { $name }
theme-title = Theme: { $name }
back-to-search = Back to the search
error-not-found = Page not found
error-not-found-text = This page does not exist, or the practice is not published.
error-bad-request = Invalid request
error-internal = Internal error
error-internal-text = Something went wrong. It has been logged; please try again later.
footer-text = zesummen — “together” in Luxembourgish. Data: communes and partners.
footer-api = JSON API
