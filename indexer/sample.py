"""Synthetic eTwinning-like teacher profiles built from the multilingual phrase bank (fixed seed)."""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterator

PHRASES_DIR = Path(__file__).with_name("phrases")

# Theme -> taxonomy subjects a teacher running it would plausibly list.
THEMES: dict[str, list[str]] = {
    "recycling": ["Environmental Education", "Natural Sciences", "Art"],
    "climate_change": ["Environmental Education", "Geography", "Natural Sciences"],
    "water": ["Natural Sciences", "Geography", "Environmental Education"],
    "biodiversity": ["Biology", "Environmental Education", "Natural Sciences"],
    "renewable_energy": ["Physics", "Technology", "Environmental Education"],
    "healthy_food": ["Health Studies", "Home Economics", "Biology"],
    "sports_wellbeing": ["Physical Education", "Health Studies"],
    "coding_robotics": ["Informatics / ICT", "Technology", "Mathematics / Geometry"],
    "online_safety": ["Informatics / ICT", "Media Education", "Citizenship"],
    "math_everyday": ["Mathematics / Geometry", "Economics"],
    "astronomy_space": ["Astronomy", "Physics", "Natural Sciences"],
    "european_heritage": ["History", "History of Culture", "European Studies"],
    "local_history": ["History", "Geography", "Social Studies / Sociology"],
    "folk_music_dance": ["Music", "Physical Education", "History of Culture"],
    "visual_art": ["Art", "History of Culture"],
    "reading_storytelling": ["Language and Literature", "Foreign Languages"],
    "theatre_drama": ["Drama", "Language and Literature", "Foreign Languages"],
    "pen_pals": ["Foreign Languages", "Language and Literature"],
    "democracy_citizenship": ["Citizenship", "Politics", "European Studies"],
    "inclusion_human_rights": ["Citizenship", "Ethics", "Law"],
    "entrepreneurship": ["Economics", "Vocational Subjects"],
    "cooking_traditions": ["Home Economics", "History of Culture", "Vocational Subjects"],
    "mental_health": ["Psychology", "Health Studies"],
    "migration_identity": ["Social Studies / Sociology", "Geography", "History"],
    "science_experiments": ["Chemistry", "Physics", "Natural Sciences"],
    "media_literacy": ["Media Education", "Language and Literature", "Informatics / ICT"],
    "special_needs": ["Special Needs Education", "Psychology"],
    "vocational_tourism": ["Vocational Subjects", "Foreign Languages", "Geography"],
    "early_years_play": ["Pre-School Subjects", "Primary School Subjects"],
    "poetry": ["Language and Literature", "Foreign Languages", "Classical Languages"],
}

# Country -> native language(s) (ISO 639-1), idea-writing languages with weights (only ones that
# have or will have a phrase file), and working languages typical there besides English.
COUNTRY_LANGS: dict[str, dict] = {
    "AT": {"native": ["de"], "write": {"de": 1}, "work": ["en", "fr", "it"]},
    "BE": {"native": ["nl", "fr"], "write": {"nl": 0.55, "fr": 0.45}, "work": ["en", "fr", "nl", "de"]},
    "BG": {"native": ["bg"], "write": {"en": 1}, "work": ["en", "de", "fr", "ru"]},
    "HR": {"native": ["hr"], "write": {"hr": 1}, "work": ["en", "de", "it"]},
    "CY": {"native": ["el"], "write": {"el": 0.8, "en": 0.2}, "work": ["en", "fr"]},
    "CZ": {"native": ["cs"], "write": {"cs": 1}, "work": ["en", "de"]},
    "DK": {"native": ["da"], "write": {"en": 1}, "work": ["en", "de"]},
    "EE": {"native": ["et"], "write": {"en": 1}, "work": ["en", "ru", "fi"]},
    "FI": {"native": ["fi"], "write": {"en": 0.85, "sv": 0.15}, "work": ["en", "sv", "de"]},
    "FR": {"native": ["fr"], "write": {"fr": 1}, "work": ["en", "es", "de", "it"]},
    "DE": {"native": ["de"], "write": {"de": 1}, "work": ["en", "fr", "es"]},
    "GR": {"native": ["el"], "write": {"el": 1}, "work": ["en", "fr", "de"]},
    "HU": {"native": ["hu"], "write": {"en": 1}, "work": ["en", "de"]},
    "IE": {"native": ["en", "ga"], "write": {"en": 1}, "work": ["en", "fr", "de"]},
    "IT": {"native": ["it"], "write": {"it": 1}, "work": ["en", "fr", "es"]},
    "LV": {"native": ["lv"], "write": {"en": 1}, "work": ["en", "ru", "de"]},
    "LT": {"native": ["lt"], "write": {"en": 1}, "work": ["en", "ru", "pl"]},
    "LU": {"native": ["lb", "de", "fr"], "write": {"de": 0.5, "fr": 0.5}, "work": ["en", "fr", "de"]},
    "MT": {"native": ["mt", "en"], "write": {"en": 1}, "work": ["en", "it"]},
    "NL": {"native": ["nl"], "write": {"nl": 1}, "work": ["en", "de", "fr"]},
    "PL": {"native": ["pl"], "write": {"pl": 1}, "work": ["en", "de"]},
    "PT": {"native": ["pt"], "write": {"pt": 1}, "work": ["en", "fr", "es"]},
    "RO": {"native": ["ro"], "write": {"ro": 1}, "work": ["en", "fr", "it"]},
    "SK": {"native": ["sk"], "write": {"cs": 1}, "work": ["en", "de", "cs"]},
    "SI": {"native": ["sl"], "write": {"hr": 1}, "work": ["en", "de", "it", "hr"]},
    "ES": {"native": ["es"], "write": {"es": 1}, "work": ["en", "fr", "pt"]},
    "SE": {"native": ["sv"], "write": {"sv": 1}, "work": ["en", "de", "es"]},
    "IS": {"native": ["is"], "write": {"en": 1}, "work": ["en", "da"]},
    "LI": {"native": ["de"], "write": {"de": 1}, "work": ["en", "fr"]},
    "NO": {"native": ["no"], "write": {"en": 0.8, "sv": 0.2}, "work": ["en", "sv", "de"]},
    "MK": {"native": ["mk"], "write": {"en": 1}, "work": ["en", "hr", "de"]},
    "RS": {"native": ["sr"], "write": {"hr": 1}, "work": ["en", "hr", "de", "ru"]},
    "TR": {"native": ["tr"], "write": {"tr": 1}, "work": ["en", "de"]},
    "AL": {"native": ["sq"], "write": {"en": 1}, "work": ["en", "it"]},
    "BA": {"native": ["bs", "hr"], "write": {"hr": 1}, "work": ["en", "de", "hr"]},
    "ME": {"native": ["sr"], "write": {"hr": 1}, "work": ["en", "hr"]},
    "AM": {"native": ["hy"], "write": {"en": 1}, "work": ["en", "ru", "fr"]},
    "AZ": {"native": ["az"], "write": {"en": 1}, "work": ["en", "tr", "ru"]},
    "GE": {"native": ["ka"], "write": {"en": 1}, "work": ["en", "ru", "de"]},
    "MD": {"native": ["ro"], "write": {"ro": 1}, "work": ["en", "ro", "fr", "ru"]},
    "UA": {"native": ["uk"], "write": {"uk": 1}, "work": ["en", "pl", "de"]},
    "TN": {"native": ["ar"], "write": {"fr": 0.6, "ar": 0.4}, "work": ["fr", "en"]},
    "JO": {"native": ["ar"], "write": {"ar": 0.7, "en": 0.3}, "work": ["en", "ar"]},
    "LB": {"native": ["ar"], "write": {"fr": 0.5, "ar": 0.5}, "work": ["fr", "en"]},
    "XK": {"native": ["sq"], "write": {"en": 1}, "work": ["en", "de"]},
    "PS": {"native": ["ar"], "write": {"ar": 0.7, "en": 0.3}, "work": ["en", "ar"]},
}

# Rough relative eTwinning activity (registered teachers/projects) per country.
COUNTRY_WEIGHTS: dict[str, float] = {
    "TR": 14, "IT": 11, "PL": 9, "ES": 9, "RO": 8, "FR": 7, "GR": 7, "PT": 6, "UA": 4,
    "HR": 3, "DE": 3, "CZ": 3, "SK": 3, "BG": 3, "RS": 2.5, "MK": 2, "BE": 2, "AZ": 2,
    "GE": 2, "LT": 2, "LV": 1.5, "SI": 1.5, "HU": 1.5, "NL": 1.5, "AT": 1.5, "MD": 1.5,
    "AL": 1.5, "TN": 1.5, "SE": 1.2, "FI": 1.2, "DK": 1, "NO": 1, "EE": 1, "IE": 1,
    "CY": 1, "AM": 1, "JO": 1, "BA": 1, "LB": 0.8, "ME": 0.6, "MT": 0.6, "IS": 0.5,
    "XK": 0.5, "PS": 0.5, "LU": 0.4, "LI": 0.2,
}

# First names (mixed genders) | last names | cities, as a teacher there would register them.
_PEOPLE = {
    "AT": ("Anna Lukas Katharina Florian Julia Stefan Sabine Markus", "Gruber Huber Wagner Pichler Steiner Moser Hofer Leitner", "Wien Graz Linz Salzburg Innsbruck"),
    "BE": ("Sarah Pieter Lotte Thomas Julie Nicolas Els Maxime", "Peeters Janssens Maes Dubois Lambert Claes Wouters Leclercq", "Antwerpen Gent Liège Namur Brugge"),
    "BG": ("Maria Georgi Elena Ivan Desislava Nikolay Petya Dimitar", "Ivanova Petrov Georgieva Dimitrov Nikolova Stoyanov Todorova Kolev", "Sofia Plovdiv Varna Burgas Ruse"),
    "HR": ("Ivana Marko Ana Tomislav Petra Luka Maja Josip", "Horvat Kovačević Babić Marić Jurić Novak Knežević Vuković", "Zagreb Split Rijeka Osijek Zadar"),
    "CY": ("Eleni Andreas Maria Christos Despina Nikos Georgia Marios", "Georgiou Charalambous Ioannou Constantinou Christodoulou Andreou Michael Panayiotou", "Nicosia Limassol Larnaca Paphos"),
    "CZ": ("Jana Petr Lenka Tomáš Kateřina Jiří Markéta Martin", "Novák Svobodová Dvořák Černá Procházka Kučerová Veselý Horáková", "Praha Brno Ostrava Plzeň Olomouc"),
    "DK": ("Mette Lars Anne Søren Camilla Jens Louise Mads", "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen", "København Aarhus Odense Aalborg"),
    "EE": ("Kadri Andres Triin Margus Liis Rein Kristiina Priit", "Tamm Saar Sepp Mägi Kask Kukk Rebane Ilves", "Tallinn Tartu Pärnu Narva"),
    "FI": ("Anna Mikko Johanna Juha Laura Timo Sanna Ville", "Korhonen Virtanen Mäkinen Nieminen Laine Heikkinen Koskinen Järvinen", "Helsinki Tampere Turku Oulu Jyväskylä"),
    "FR": ("Nathalie Julien Sophie Nicolas Céline Sébastien Isabelle Thomas", "Martin Bernard Dubois Lefebvre Moreau Laurent Girard Fontaine", "Lyon Marseille Toulouse Nantes Lille Bordeaux"),
    "DE": ("Sabine Michael Julia Andreas Katrin Thomas Nicole Jan", "Müller Schmidt Schneider Fischer Weber Becker Hoffmann Schulz", "Berlin Hamburg München Köln Leipzig Dresden"),
    "GR": ("Maria Georgios Eleni Dimitrios Katerina Nikolaos Sofia Ioannis", "Papadopoulou Papadopoulos Georgiou Nikolaidis Karagianni Vlachos Dimitriou Oikonomou", "Athens Thessaloniki Patras Heraklion Larissa Ioannina"),
    "HU": ("Katalin László Eszter Zoltán Anikó Gábor Zsófia Péter", "Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár", "Budapest Debrecen Szeged Pécs Győr"),
    "IE": ("Siobhán Seán Aoife Ciarán Niamh Patrick Orla Conor", "Murphy Kelly O'Sullivan Walsh Byrne Ryan O'Brien Doyle", "Dublin Cork Galway Limerick Waterford"),
    "IT": ("Giulia Marco Francesca Alessandro Chiara Luca Paola Giuseppe", "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci", "Roma Milano Napoli Torino Palermo Bari Bologna"),
    "LV": ("Inese Jānis Ilze Andris Dace Māris Laura Edgars", "Bērziņa Kalniņš Ozola Liepiņš Krūmiņa Jansons Zariņa Vītols", "Rīga Daugavpils Liepāja Jelgava"),
    "LT": ("Rūta Tomas Jolanta Mindaugas Asta Darius Eglė Andrius", "Kazlauskienė Petrauskas Jankauskienė Stankevičius Vasiliauskienė Žukauskas Butkienė Paulauskas", "Vilnius Kaunas Klaipėda Šiauliai"),
    "LU": ("Claudine Marc Sandra Luc Nathalie Pit Anne Jeff", "Schmit Muller Weber Wagner Hoffmann Thill Kremer Reuter", "Luxembourg Esch-sur-Alzette Differdange Ettelbruck"),
    "MT": ("Maria Joseph Rebecca Mark Claire Daniel Stephanie Matthew", "Borg Camilleri Vella Farrugia Zammit Galea Micallef Grech", "Valletta Birkirkara Mosta Qormi Victoria"),
    "NL": ("Anouk Daan Sanne Bram Femke Jeroen Linda Thijs", "de Jong Jansen de Vries van den Berg Bakker Visser Smit Meijer", "Amsterdam Rotterdam Utrecht Eindhoven Groningen"),
    "PL": ("Agnieszka Piotr Katarzyna Tomasz Magdalena Marcin Joanna Paweł", "Nowak Kowalska Wiśniewski Wójcik Kamińska Lewandowski Zielińska Szymański", "Warszawa Kraków Łódź Wrocław Poznań Gdańsk Lublin"),
    "PT": ("Ana João Maria Pedro Catarina Rui Sofia Miguel", "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins", "Lisboa Porto Braga Coimbra Aveiro Faro Viseu"),
    "RO": ("Ioana Andrei Elena Mihai Cristina Alexandru Mariana Bogdan", "Popescu Ionescu Popa Dumitrescu Stan Stoica Gheorghe Munteanu", "București Cluj-Napoca Iași Timișoara Constanța Brașov Craiova"),
    "SK": ("Zuzana Martin Lucia Peter Jana Michal Katarína Juraj", "Horváth Kováčová Varga Tóthová Nagy Baláž Szabóová Molnár", "Bratislava Košice Prešov Žilina Nitra"),
    "SI": ("Maja Luka Nina Matej Petra Jure Mojca Rok", "Novak Horvat Krajnc Zupančič Kovač Potočnik Mlakar Kos", "Ljubljana Maribor Celje Kranj Koper"),
    "ES": ("Lucía Javier Carmen David Marta Sergio Laura Pablo", "García Fernández González Rodríguez López Martínez Sánchez Pérez", "Madrid Sevilla Valencia Zaragoza Málaga Murcia Bilbao"),
    "SE": ("Anna Erik Maria Johan Karin Anders Sara Lars", "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson", "Stockholm Göteborg Malmö Uppsala Umeå"),
    "IS": ("Guðrún Jón Sigríður Gunnar Anna Sigurður Helga Ólafur", "Jónsdóttir Jónsson Sigurðardóttir Guðmundsson Magnúsdóttir Ólafsson Einarsdóttir Kristjánsson", "Reykjavík Akureyri Kópavogur Hafnarfjörður"),
    "LI": ("Andrea Daniel Sandra Patrick Nadine Thomas Karin Marco", "Büchel Frick Marxer Beck Wohlwend Kaiser Ospelt Vogt", "Vaduz Schaan Triesen Balzers"),
    "NO": ("Ingrid Ole Kari Lars Silje Kristian Hanne Magnus", "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Berg", "Oslo Bergen Trondheim Stavanger Tromsø"),
    "MK": ("Elena Aleksandar Marija Goran Biljana Nikola Ivana Dragan", "Stojanovska Petrovski Nikolovska Trajkovski Jovanovska Angelovski Ristovska Dimovski", "Skopje Bitola Kumanovo Ohrid Tetovo"),
    "RS": ("Jelena Milan Marija Nenad Ivana Dragan Snežana Nikola", "Jovanović Petrović Nikolić Marković Đorđević Stojanović Ilić Pavlović", "Beograd Novi Sad Niš Kragujevac Subotica"),
    "TR": ("Ayşe Mehmet Fatma Mustafa Elif Ahmet Zeynep Emre", "Yılmaz Kaya Demir Şahin Çelik Yıldız Aydın Öztürk", "İstanbul Ankara İzmir Bursa Antalya Konya Trabzon Gaziantep"),
    "AL": ("Elona Arben Blerta Gentian Mirela Ilir Anila Ardit", "Hoxha Shehu Dervishi Leka Kola Gjoka Basha Marku", "Tirana Durrës Shkodër Vlorë Elbasan"),
    "BA": ("Amra Adnan Lejla Emir Jasmina Haris Sanja Mirza", "Hodžić Begić Kovačević Delić Hadžić Mehić Jurić Ćosić", "Sarajevo Banja Luka Tuzla Mostar Zenica"),
    "ME": ("Milica Marko Jovana Nikola Sanja Stefan Ana Vuk", "Vujović Popović Radović Đukanović Vuković Perović Kovačević Bulatović", "Podgorica Nikšić Bar Herceg Novi"),
    "AM": ("Anna Armen Lilit Davit Narine Gor Mariam Tigran", "Hakobyan Grigoryan Sargsyan Harutyunyan Petrosyan Vardanyan Avetisyan Karapetyan", "Yerevan Gyumri Vanadzor Abovyan"),
    "AZ": ("Aysel Elvin Günel Rashad Leyla Orkhan Nigar Farid", "Mammadova Aliyev Huseynova Hasanov Guliyeva Ismayilov Abbasova Rzayev", "Baku Ganja Sumgait Lankaran"),
    "GE": ("Nino Giorgi Tamar Levan Mariam Davit Ketevan Irakli", "Beridze Kapanadze Gelashvili Maisuradze Lomidze Tsiklauri Javakhishvili Abashidze", "Tbilisi Kutaisi Batumi Rustavi Gori"),
    "MD": ("Natalia Ion Tatiana Vasile Olga Sergiu Elena Victor", "Rusu Ceban Ciobanu Munteanu Lungu Cojocaru Popa Turcanu", "Chișinău Bălți Cahul Orhei Ungheni"),
    "UA": ("Olena Oleksandr Iryna Andrii Natalia Serhii Tetiana Dmytro", "Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Melnyk Oliinyk Boiko", "Kyiv Lviv Kharkiv Odesa Dnipro Vinnytsia Poltava"),
    "TN": ("Amel Mohamed Sonia Karim Leila Sami Imen Walid", "Ben Ali Trabelsi Gharbi Jebali Mejri Ben Salah Hammami Bouazizi", "Tunis Sfax Sousse Kairouan Bizerte"),
    "JO": ("Rana Ahmad Hala Omar Dina Khaled Lina Yousef", "Al-Masri Haddad Khalil Nasser Abu Zeid Al-Khatib Saleh Odeh", "Amman Irbid Zarqa Aqaba Madaba"),
    "LB": ("Rima Georges Nadine Elie Maya Ali Carla Hassan", "Khoury Haddad Saab Nassar Frem Hamdan Karam Aoun", "Beirut Tripoli Saida Zahle Jounieh"),
    "XK": ("Arta Besnik Drita Faton Vlora Arber Teuta Driton", "Krasniqi Gashi Berisha Morina Hoxha Shala Bytyqi Kastrati", "Prishtina Prizren Peja Gjakova Ferizaj"),
    "PS": ("Samar Mahmoud Reem Tareq Noor Yasser Huda Fadi", "Abu Ali Hamdan Qasem Barghouti Odeh Shaheen Mansour Awad", "Ramallah Nablus Hebron Bethlehem Jenin"),
}
# People lists with several last-name words ("de Jong", "Ben Ali") are split on double spaces
# where needed; plain whitespace split is good enough for the rest.
_MULTIWORD_LAST = {"NL": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"],
                   "TN": ["Ben Ali", "Trabelsi", "Gharbi", "Jebali", "Mejri", "Ben Salah", "Hammami", "Bouazizi"],
                   "JO": ["Al-Masri", "Haddad", "Khalil", "Nasser", "Abu Zeid", "Al-Khatib", "Saleh", "Odeh"],
                   "PS": ["Abu Ali", "Hamdan", "Qasem", "Barghouti", "Odeh", "Shaheen", "Mansour", "Awad"]}
_MULTIWORD_CITY = {"RS": ["Beograd", "Novi Sad", "Niš", "Kragujevac", "Subotica"],
                   "ME": ["Podgorica", "Nikšić", "Bar", "Herceg Novi"],
                   "BA": ["Sarajevo", "Banja Luka", "Tuzla", "Mostar", "Zenica"]}

# School-name patterns per idea language and school level.
_SCHOOL_NAMES = {
    "pt": {"pre": "Jardim de Infância de {city}", "pri": "Escola Básica n.º {n} de {city}", "sec": "Escola Secundária de {city}", "voc": "Escola Profissional de {city}", "sen": "Centro de Educação Especial de {city}"},
    "es": {"pre": "Escuela Infantil de {city}", "pri": "CEIP n.º {n} de {city}", "sec": "IES n.º {n} de {city}", "voc": "Centro de Formación Profesional de {city}", "sen": "Centro de Educación Especial de {city}"},
    "it": {"pre": "Scuola dell'Infanzia di {city}", "pri": "Istituto Comprensivo {n} di {city}", "sec": "Liceo Scientifico di {city}", "voc": "Istituto Professionale di {city}", "sen": "Centro Educativo Speciale di {city}"},
    "fr": {"pre": "École maternelle de {city}", "pri": "École primaire n° {n} de {city}", "sec": "Lycée n° {n} de {city}", "voc": "Lycée professionnel de {city}", "sen": "Institut médico-éducatif de {city}"},
    "ro": {"pre": "Grădinița nr. {n} {city}", "pri": "Școala Gimnazială nr. {n} {city}", "sec": "Liceul Teoretic nr. {n} {city}", "voc": "Liceul Tehnologic nr. {n} {city}", "sen": "Centrul Școlar pentru Educație Incluzivă {city}"},
    "pl": {"pre": "Przedszkole nr {n} w {city}", "pri": "Szkoła Podstawowa nr {n} w {city}", "sec": "Liceum Ogólnokształcące nr {n} w {city}", "voc": "Technikum nr {n} w {city}", "sen": "Specjalny Ośrodek Szkolno-Wychowawczy w {city}"},
    "el": {"pre": "{n}ο Νηπιαγωγείο {city}", "pri": "{n}ο Δημοτικό Σχολείο {city}", "sec": "{n}ο Γενικό Λύκειο {city}", "voc": "{n}ο ΕΠΑΛ {city}", "sen": "Ειδικό Σχολείο {city}"},
    "cs": {"pre": "Mateřská škola {city}", "pri": "Základní škola {city} {n}", "sec": "Gymnázium {city}", "voc": "Střední odborná škola {city}", "sen": "Speciální škola {city}"},
    "de": {"pre": "Kindergarten {city}-Mitte", "pri": "Grundschule {city} {n}", "sec": "Gymnasium {city}", "voc": "Berufsschule {city}", "sen": "Förderschule {city}"},
    "nl": {"pre": "Kinderopvang De Regenboog {city}", "pri": "Basisschool De Wegwijzer {city}", "sec": "Stedelijk Lyceum {city}", "voc": "ROC {city}", "sen": "School voor Speciaal Onderwijs {city}"},
    "tr": {"pre": "{city} Anaokulu", "pri": "{city} {n}. İlkokulu", "sec": "{city} Anadolu Lisesi", "voc": "{city} Mesleki ve Teknik Anadolu Lisesi", "sen": "{city} Özel Eğitim Uygulama Okulu"},
    "hr": {"pre": "Dječji vrtić {city}", "pri": "Osnovna škola {city} {n}", "sec": "Gimnazija {city}", "voc": "Strukovna škola {city}", "sen": "Centar za odgoj i obrazovanje {city}"},
    "uk": {"pre": "Заклад дошкільної освіти № {n} {city}", "pri": "Ліцей № {n} {city}", "sec": "Гімназія № {n} {city}", "voc": "Професійний ліцей {city}", "sen": "Спеціальна школа {city}"},
    "sv": {"pre": "Förskolan Solrosen {city}", "pri": "Centralskolan {city}", "sec": "{city} gymnasium", "voc": "Yrkesgymnasiet {city}", "sen": "Särskolan {city}"},
    "ar": {"pre": "روضة {city} النموذجية", "pri": "مدرسة {city} الأساسية رقم {n}", "sec": "مدرسة {city} الثانوية", "voc": "مدرسة {city} المهنية", "sen": "مركز {city} للتربية الخاصة"},
    "en": {"pre": "{city} Early Years Centre", "pri": "{city} Primary School No. {n}", "sec": "{city} Secondary School No. {n}", "voc": "{city} Vocational School", "sen": "{city} Special School"},
}
_LEVEL = {"pre-primary": "pre", "primary": "pri", "lower-secondary": "sec", "upper-secondary": "sec",
          "vocational": "voc", "special-needs": "sen", "other": "sec"}

SCHOOL_TYPES = {"pre-primary": 0.12, "primary": 0.30, "lower-secondary": 0.24, "upper-secondary": 0.18,
                "vocational": 0.10, "special-needs": 0.06}
AGE_RANGES = {
    "pre-primary": [(3, 6), (4, 6), (3, 5), (5, 6), (3, 4)],
    "primary": [(6, 11), (7, 10), (8, 11), (6, 8), (9, 11), (6, 10), (7, 11)],
    "lower-secondary": [(11, 15), (12, 15), (11, 14), (13, 15), (12, 14), (11, 13)],
    "upper-secondary": [(15, 19), (15, 18), (16, 19), (14, 18), (16, 18), (17, 19)],
    "vocational": [(15, 20), (16, 19), (15, 18), (17, 20), (16, 20)],
    "special-needs": [(4, 12), (6, 18), (10, 16), (12, 20), (3, 10), (7, 14)],
}
# Subject a teacher at that school level often adds to the theme subjects.
LEVEL_SUBJECT = {"pre-primary": "Pre-School Subjects", "primary": "Primary School Subjects",
                 "vocational": "Vocational Subjects", "special-needs": "Special Needs Education"}

# Themes are not equally likely at every level: toddlers don't run start-ups.
_THEME_BOOST = {
    "pre-primary": {"early_years_play": 12, "healthy_food": 2, "reading_storytelling": 2, "visual_art": 2,
                    "entrepreneurship": 0, "democracy_citizenship": 0.1, "migration_identity": 0.2,
                    "media_literacy": 0.1, "vocational_tourism": 0, "online_safety": 0.2, "mental_health": 0.5},
    "primary": {"early_years_play": 1.5, "pen_pals": 2, "reading_storytelling": 1.5, "vocational_tourism": 0,
                "entrepreneurship": 0.3},
    "lower-secondary": {"early_years_play": 0, "vocational_tourism": 0.1},
    "upper-secondary": {"early_years_play": 0, "democracy_citizenship": 1.5, "media_literacy": 1.5,
                        "vocational_tourism": 0.3},
    "vocational": {"early_years_play": 0, "vocational_tourism": 10, "entrepreneurship": 4,
                   "cooking_traditions": 2, "coding_robotics": 1.5},
    "special-needs": {"special_needs": 15, "early_years_play": 1},
}
_THEME_BASE = {"special_needs": 0.3}

DATE_FIRST = dt.date(2025, 1, 1)
DATE_LAST = dt.date(2026, 11, 20)


def _ascii(text: str) -> str:
    """Email-safe form of a name: no diacritics, spaces or apostrophes."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ð", "d").replace("þ", "th")
    text = text.replace("Đ", "D").replace("đ", "d").replace("ı", "i").replace("ß", "ss").replace("æ", "ae")
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in norm.lower() if c.isalnum() or c == "-")


class _Cum:
    """Weighted choice via precomputed cumulative weights (rng.choices per call is slower)."""

    def __init__(self, weights: dict):
        self.keys = [k for k, w in weights.items() if w > 0]
        self.cum = list(itertools.accumulate(weights[k] for k in self.keys))

    def pick(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@lru_cache(maxsize=1)
def phrase_bank() -> dict[str, dict]:
    """All phrase files present now, keyed by language; read once per process."""
    bank = {}
    for path in sorted(PHRASES_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # another writer may be mid-file; generate with the rest
        if isinstance(data, dict) and data.get("themes") and data.get("lang"):
            bank[data["lang"]] = data
    if not bank:
        raise RuntimeError(f"no phrase files in {PHRASES_DIR}")
    return bank


@lru_cache(maxsize=1)
def _tables() -> dict:
    """Everything per country/language precomputed, so generation is a few choices per field."""
    bank = phrase_bank()
    fallback = "en" if "en" in bank else sorted(bank)[0]
    people, writers = {}, {}
    for code, (first, last, city) in _PEOPLE.items():
        firsts, lasts = first.split(), _MULTIWORD_LAST.get(code, last.split())
        cities = _MULTIWORD_CITY.get(code, city.split())
        people[code] = (firsts, lasts, cities, {n: _ascii(n) for n in firsts + lasts})
        write = {}
        for lang, w in COUNTRY_LANGS[code]["write"].items():
            write[lang if lang in bank else fallback] = write.get(lang if lang in bank else fallback, 0) + w
        writers[code] = _Cum(write)
    boosts = {}
    for stype in SCHOOL_TYPES:
        w = {t: _THEME_BASE.get(t, 1.0) * _THEME_BOOST.get(stype, {}).get(t, 1.0) for t in THEMES}
        boosts[stype] = _Cum(w)
    dates = [(DATE_FIRST + dt.timedelta(days=i)).isoformat()
             for i in range((DATE_LAST - DATE_FIRST).days + 1)]
    return {"bank": bank, "people": people, "writers": writers, "themes": boosts, "dates": dates,
            "countries": _Cum(COUNTRY_WEIGHTS), "stypes": _Cum(SCHOOL_TYPES), "fallback": fallback}


def theme_pool(lang: str, theme: str) -> dict:
    """The phrase-bank entry for a theme in `lang`, falling back to English when missing."""
    tables = _tables()
    themes = tables["bank"].get(lang, {}).get("themes", {})
    return themes.get(theme) or tables["bank"][tables["fallback"]]["themes"][theme]


def _opener(rng: random.Random, lang: str, subject: str, theme: str) -> str:
    data = _tables()["bank"][lang]
    text = rng.choice(data["openers"])
    if "{subject}" in text:
        text = text.replace("{subject}", data.get("subjects", {}).get(subject, subject))
    if text[-1] not in ".!?…。؟":
        # Some banks write openers as lead-ins ("a project about"); finish with a topic phrase.
        text = f"{text} {rng.choice(theme_pool(lang, theme)['interests'])}."
    return text


def idea(rng: random.Random, lang: str, theme: str, subject: str, n_sentences: int | None = None,
         closer_p: float = 0.6) -> dict:
    """One project idea: a title, an opener, 2-4 sentences on one theme, maybe a closer."""
    pool = theme_pool(lang, theme)
    k = n_sentences or rng.randint(2, 4)
    parts = [_opener(rng, lang, subject, theme)] + rng.sample(pool["sentences"], min(k, len(pool["sentences"])))
    if rng.random() < closer_p:
        parts.append(rng.choice(_tables()["bank"][lang]["closers"]))
    return {"title": rng.choice(pool["titles"]), "text": " ".join(parts)}


def teacher_languages(rng: random.Random, country: str, write_lang: str, rare: bool) -> list[str]:
    """Languages a teacher lists: native (+ the one they write in), usually English, sometimes more."""
    native = COUNTRY_LANGS[country]["native"][0]
    if write_lang in COUNTRY_LANGS[country]["native"]:
        native = write_lang
    langs = [native]
    if write_lang != native:
        langs.append(write_lang)
    if rare:
        return langs
    if "en" not in langs and rng.random() < 0.93:
        langs.append("en")
    for extra in COUNTRY_LANGS[country]["work"]:
        if extra not in langs and rng.random() < 0.18:
            langs.append(extra)
    return langs


def pick_subjects(rng: random.Random, themes: list[str], stype: str) -> list[str]:
    """1-3 taxonomy labels: from the themes, sometimes the school level's label or Cross Curricular."""
    cands = [s for t in themes for s in THEMES[t]]
    subs = [rng.choice(cands)]
    for _ in range(rng.randint(0, 2)):
        r = rng.random()
        s = LEVEL_SUBJECT.get(stype) if r < 0.3 else "Cross Curricular" if r < 0.4 else rng.choice(cands)
        if s and s not in subs:
            subs.append(s)
    return subs


def age_groups(rng: random.Random, stype: str) -> list[dict]:
    lo, hi = rng.choice(AGE_RANGES[stype])
    groups = [{"from": lo, "to": hi}]
    if stype in ("primary", "lower-secondary") and rng.random() < 0.1:
        lo2, hi2 = rng.choice(AGE_RANGES[stype])
        if (lo2, hi2) != (lo, hi):
            groups.append({"from": lo2, "to": hi2})
    return groups


def new_school(rng: random.Random, serial: int, country: str, stype: str | None = None) -> dict:
    tables = _tables()
    stype = stype or tables["stypes"].pick(rng)
    _, _, cities, _ = tables["people"][country]
    city = rng.choice(cities)
    lang = tables["writers"][country].pick(rng)
    pattern = _SCHOOL_NAMES.get(lang, _SCHOOL_NAMES["en"])[_LEVEL[stype]]
    return {"id": f"sch-{serial:06d}", "name": pattern.format(city=city, n=rng.randint(1, 30)),
            "country": country, "city": city, "type": stype}


def profile(rng: random.Random, pid: str, school: dict, themes: list[str], *, lang: str | None = None,
            languages: list[str] | None = None, ages: list[dict] | None = None,
            subjects: list[str] | None = None, n_ideas: int | None = None) -> dict:
    """A full profile dict for one teacher at `school` working on `themes` (1-2 theme keys)."""
    tables = _tables()
    country, stype = school["country"], school["type"]
    firsts, lasts, _, ascii_of = tables["people"][country]
    first, last = rng.choice(firsts), rng.choice(lasts)
    lang = lang or tables["writers"][country].pick(rng)
    if languages is None:
        native_only = (lang in COUNTRY_LANGS[country]["native"] and lang != "en" and rng.random() < 0.14)
        languages = teacher_languages(rng, country, lang, native_only)
        # Teachers who speak English sometimes write their idea in English to reach more partners.
        if "en" in languages and lang != "en" and "en" in tables["bank"] and rng.random() < 0.12:
            lang = "en"
    subjects = subjects or pick_subjects(rng, themes, stype)
    ideas = [idea(rng, lang, themes[i % len(themes)], subjects[0])
             for i in range(n_ideas or rng.choice((1, 1, 1, 2, 2, 3)))]
    interests = []
    for t in themes:
        interests += theme_pool(lang, t)["interests"]
    interests = rng.sample(interests, min(len(interests), rng.randint(2, 4)))
    out = {
        "id": pid,
        "name": f"{first} {last}",
        "email": f"{ascii_of[first]}.{ascii_of[last].replace('-', '')}@school.example",
        "school": school,
        "subjects": subjects,
        "age_groups": ages or age_groups(rng, stype),
        "languages": languages,
        "interests": interests,
        "ideas": ideas,
        "experience": min(30, int(rng.expovariate(1 / 6))),
        "last_active": rng.choice(tables["dates"]),
        "open_to_partners": rng.random() < 0.93,
    }
    if rng.random() < 0.4:
        out["response_rate"] = round(rng.random() ** 0.5, 2)
    return out


def pick_themes(rng: random.Random, stype: str) -> list[str]:
    dist = _tables()["themes"][stype]
    first = dist.pick(rng)
    if rng.random() < 0.35:
        second = dist.pick(rng)
        if second != first:
            return [first, second]
    return [first]


def generate(n: int, seed: int = 7) -> Iterator[dict]:
    """Yield `n` profile dicts valid for models.Profile; same seed, same profiles."""
    rng = random.Random(seed)
    tables = _tables()
    # Every country gets a school before weighted draws start, so small samples cover all 46.
    first_round = sorted(COUNTRY_LANGS)
    rng.shuffle(first_round)
    recent: list[dict] = []  # ring of recent schools; colleagues join one (~2.5 teachers/school)
    serial = 0
    for i in range(n):
        if recent and rng.random() < 0.6:
            school = rng.choice(recent)
        else:
            country = first_round[serial] if serial < len(first_round) else tables["countries"].pick(rng)
            school = new_school(rng, serial, country)
            serial += 1
            if len(recent) < 40:
                recent.append(school)
            else:
                recent[serial % 40] = school
        yield profile(rng, f"tm-{i:06d}", school, pick_themes(rng, school["type"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None, help="JSONL file (default: stdout)")
    args = ap.parse_args(argv)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for p in generate(args.n, args.seed):
            out.write(json.dumps(p, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"wrote {args.n} profiles to {args.out} (languages: {', '.join(sorted(phrase_bank()))})",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
