"""The sample generator's tables: themes, countries and their languages, people, schools, ages."""
from __future__ import annotations

import datetime as dt

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
PEOPLE = {
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
MULTIWORD_LAST = {"NL": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"],
                   "TN": ["Ben Ali", "Trabelsi", "Gharbi", "Jebali", "Mejri", "Ben Salah", "Hammami", "Bouazizi"],
                   "JO": ["Al-Masri", "Haddad", "Khalil", "Nasser", "Abu Zeid", "Al-Khatib", "Saleh", "Odeh"],
                   "PS": ["Abu Ali", "Hamdan", "Qasem", "Barghouti", "Odeh", "Shaheen", "Mansour", "Awad"]}
MULTIWORD_CITY = {"RS": ["Beograd", "Novi Sad", "Niš", "Kragujevac", "Subotica"],
                   "ME": ["Podgorica", "Nikšić", "Bar", "Herceg Novi"],
                   "BA": ["Sarajevo", "Banja Luka", "Tuzla", "Mostar", "Zenica"]}

# School-name patterns per idea language and school level.
SCHOOL_NAMES = {
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
LEVEL = {"pre-primary": "pre", "primary": "pri", "lower-secondary": "sec", "upper-secondary": "sec",
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
THEME_BOOST = {
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
THEME_BASE = {"special_needs": 0.3}

DATE_FIRST = dt.date(2025, 1, 1)
DATE_LAST = dt.date(2026, 11, 20)
