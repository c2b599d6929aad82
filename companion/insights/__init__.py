"""Insights on the local ecosystem, Qt-free: territory profiles, the actors' network,
suggested links and activity reports, with their HTML and .docx renderings.

The UI calls ``territory.territory_profile``, ``graph.build_graph`` and
``graph.ecosystem_metrics``, ``suggestions.suggest_links``,
``activity.activity_report`` and the ``report_html`` / ``report_docx`` writers.
"""
