Grailbird.data.tweets_2017_10 = 
[
 {
  "source": "web",
  "entities": {
   "user_mentions": [],
   "media": [],
   "hashtags": [
    {
     "text": "MeToo",
     "indices": [
      0,
      6
     ]
    }
   ],
   "urls": []
  },
  "geo": {},
  "id_str": "920000000000000001",
  "text": "#MeToo I am done staying quiet about the coach.",
  "id": 920000000000000001,
  "created_at": "2017-10-16 09:15:02 +0000",
  "user": {
   "name": "Archive Owner",
   "screen_name": "archive_owner",
   "protected": false,
   "id_str": "4455667788",
   "profile_image_url_https": "https://example.org/x.png",
   "id": 4455667788,
   "verified": false
  }
 }
]